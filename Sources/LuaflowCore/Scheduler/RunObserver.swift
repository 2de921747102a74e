/// Watches a run from outside (metrics and trace exporters). Called from the runner's threads at
/// run, node and checkpoint boundaries only, never per record or per batch; implementations must
/// return quickly and never block.
public protocol RunObserver: AnyObject, Sendable {
    /// The stages are about to start. `stats` are the nodes' counters in topological order;
    /// `resuming` says whether the run continues an unfinished one.
    func runStarted(stats: [NodeStats], resuming: Bool)
    /// The first thread of `node` started.
    func nodeStarted(_ node: String)
    /// The last thread of `node` ended; `error` is what stopped it, if anything did.
    func nodeFinished(_ node: String, error: (any Error)?)
    /// Every sink downstream of `source` wrote what it sent before checkpoint `sequence`, and the
    /// state store committed it `lagSeconds` after the source emitted the marker.
    func checkpointCommitted(source: String, sequence: Int, lagSeconds: Double)
    /// The run ended (its sinks published, or not).
    func runFinished(_ outcome: RunStatus, seconds: Double)
}
