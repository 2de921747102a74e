/// A node whose script set `every(seconds, fn)` timers: its thread wakes for them even when no
/// batch arrives, and fires them between batches.
protocol TimerNode: NodeRuntime {
    /// Seconds until the next timer is due (0: one is due now); nil: the node has no timers.
    var secondsUntilTimer: Double? { get }
    /// Runs the timers that are due; returns what they emitted (a transform's), if anything.
    func fireTimers() throws -> RecordBatch?
}
