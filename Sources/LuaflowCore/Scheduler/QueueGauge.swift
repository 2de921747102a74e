/// What exporters read of a queue between stages, on demand (never per record).
public protocol QueueGauge: AnyObject, Sendable {
    /// Batches waiting in the queue now.
    var depth: Int { get }
    /// Seconds producers have spent waiting for room in the queue (backpressure) so far.
    var blockedSeconds: Double { get }
}
