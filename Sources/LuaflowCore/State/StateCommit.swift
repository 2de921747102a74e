/// What one commit writes, in one transaction: a checkpoint (streams and sink tokens together),
/// or the end of a run (its final streams and tokens with the run's new status).
public struct StateCommit: Sendable {
    public var streams: [StreamUpdate]
    public var sinks: [SinkToken]
    /// Forget every sink token of the pipeline before writing `sinks` (a run starts or ends).
    public var clearSinks: Bool
    /// The run whose status becomes `status`, by id.
    public var run: (id: String, status: RunStatus)?

    public init(streams: [StreamUpdate] = [], sinks: [SinkToken] = [], clearSinks: Bool = false, run: (id: String, status: RunStatus)? = nil) {
        self.streams = streams
        self.sinks = sinks
        self.clearSinks = clearSinks
        self.run = run
    }
}
