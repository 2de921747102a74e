/// A source that others push records to (webhooks): it hears of every commit, and when its
/// senders wait for the checkpoint that covers their records a checkpoint follows each of its
/// batches (a group commit). Its records are not read again on resume: nothing is skipped.
public protocol PushSource: SourceRuntime {
    /// Whether a checkpoint follows every batch that holds records (senders wait for it).
    var checkpointsEachBatch: Bool { get }
    /// Called before `open` when the run commits checkpoints as it goes (state is kept and no
    /// transform holds records until the end); never called otherwise.
    func checkpointsCommit()
    /// The first `produced` records this run delivered are committed in the state store, together
    /// with what the sinks made durable. Called on a sink's thread; must not block.
    func committed(produced: Int)
}
