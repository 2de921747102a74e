import Foundation

/// Shared fate of one run: the first failure cancels every queue so all stages stop promptly.
final class RunControl: @unchecked Sendable {
    private let lock = NSLock()
    private var firstError: Error?
    /// A checkpointed source failed: the run fails once what is in flight has drained.
    private var drainError: Error?
    private var queues: [BoundedQueue<RecordBatch>] = []
    private var interruptedFlag = false
    private var finishedSinks: [SinkToken] = []

    func track(_ queue: BoundedQueue<RecordBatch>) {
        lock.withLock { queues.append(queue) }
    }

    /// Records the first error and cancels the queues.
    func fail(_ error: Error) {
        let toCancel: [BoundedQueue<RecordBatch>] = lock.withLock {
            guard firstError == nil else { return [] }
            firstError = error
            return queues
        }
        toCancel.forEach { $0.cancel() }
    }

    /// A checkpointed source failed: sources stop, but the records and checkpoint markers already
    /// in the queues still reach the sinks, so the run saves all the progress it made before failing.
    func failAfterDrain(_ error: Error) {
        lock.withLock { if firstError == nil && drainError == nil { drainError = error } }
    }

    /// A stop signal: every queue is cancelled (what they hold is not drained: the last checkpoint
    /// already marks what is safe) and stages stop as soon as they can.
    func interrupt() {
        let toCancel: [BoundedQueue<RecordBatch>] = lock.withLock {
            guard !interruptedFlag else { return [] }
            interruptedFlag = true
            return queues
        }
        toCancel.forEach { $0.cancel() }
    }

    /// A sink finished its inputs; `token` is what its `publish` needs, committed before it.
    func sinkFinished(_ token: SinkToken?) {
        if let token { lock.withLock { finishedSinks.append(token) } }
    }

    /// The tokens of the sinks that finished.
    var finalTokens: [SinkToken] { lock.withLock { finishedSinks } }

    var error: Error? { lock.withLock { firstError ?? drainError } }
    /// A stop signal ended the run.
    var interrupted: Bool { lock.withLock { interruptedFlag } }
    /// The run failed or was interrupted: stages stop as soon as they can (a draining run still
    /// empties its queues) and none finishes its work.
    var stopped: Bool { lock.withLock { firstError != nil || drainError != nil || interruptedFlag } }
}
