import Foundation

/// Shared fate of one run: the first failure cancels every queue so all stages stop promptly.
final class RunControl: @unchecked Sendable {
    private let lock = NSLock()
    private var firstError: Error?
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

    var error: Error? { lock.withLock { firstError } }
    var failed: Bool { error != nil }
}
