import Foundation

/// Shared fate of one run: the first failure cancels every queue so all stages stop promptly.
final class RunControl: @unchecked Sendable {
    private let lock = NSLock()
    private var firstError: Error?
    /// A checkpointed source failed: the run fails once what is in flight has drained.
    private var drainError: Error?
    private var queues: [BoundedQueue<RecordBatch>] = []

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

    var error: Error? { lock.withLock { firstError ?? drainError } }
    /// Something failed: stages stop as soon as they can (a draining run still empties its queues).
    var failed: Bool { error != nil }
}
