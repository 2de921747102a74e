/// Shared fate of one run: the first failure cancels every queue so all stages stop promptly.
final class RunControl: Sendable {
    private struct State {
        var firstError: Error?
        /// A checkpointed source failed: the run fails once what is in flight has drained.
        var drainError: Error?
        var queues: [BoundedQueue<RecordBatch>] = []
        var interrupted = false
        var finishedSinks: [SinkToken] = []
    }

    private let state = Locked(State())

    func track(_ queue: BoundedQueue<RecordBatch>) {
        state.withLock { $0.queues.append(queue) }
    }

    /// Records the first error and cancels the queues.
    func fail(_ error: Error) {
        let toCancel: [BoundedQueue<RecordBatch>] = state.withLock { state in
            guard state.firstError == nil else { return [] }
            state.firstError = error
            return state.queues
        }
        toCancel.forEach { $0.cancel() }
    }

    /// A checkpointed source failed: sources stop, but the records and checkpoint markers already
    /// in the queues still reach the sinks, so the run saves all the progress it made before failing.
    func failAfterDrain(_ error: Error) {
        state.withLock { state in
            if state.firstError == nil && state.drainError == nil { state.drainError = error }
        }
    }

    /// A stop signal: every queue is cancelled (what they hold is not drained: the last checkpoint
    /// already marks what is safe) and stages stop as soon as they can.
    func interrupt() {
        let toCancel: [BoundedQueue<RecordBatch>] = state.withLock { state in
            guard !state.interrupted else { return [] }
            state.interrupted = true
            return state.queues
        }
        toCancel.forEach { $0.cancel() }
    }

    /// A sink finished its inputs; `token` is what its `publish` needs, committed before it.
    func sinkFinished(_ token: SinkToken?) {
        if let token { state.withLock { $0.finishedSinks.append(token) } }
    }

    /// The tokens of the sinks that finished.
    var finalTokens: [SinkToken] { state.withLock { $0.finishedSinks } }

    var error: Error? { state.withLock { $0.firstError ?? $0.drainError } }
    /// A stop signal ended the run.
    var interrupted: Bool { state.withLock { $0.interrupted } }
    /// The run failed or was interrupted: stages stop as soon as they can (a draining run still
    /// empties its queues) and none finishes its work.
    var stopped: Bool { state.withLock { $0.firstError != nil || $0.drainError != nil || $0.interrupted } }
}
