import Foundation

/// Where a node's batches go: every output queue (fan-out). With several workers it restores the
/// input order (batches numbered as popped are released in number order; a worker that dropped a
/// whole batch reports nothing for its number) and tells the queues the node finished only when
/// the last worker did.
final class StageOutput: @unchecked Sendable {
    private let queues: [BoundedQueue<RecordBatch>]
    private let ordered: Bool
    /// Workers that may finish batches out of order (several of them).
    private let parallel: Bool
    /// Unordered: numbers finished after `nextNumber`, and checkpoint markers waiting for them.
    private var finished = Set<Int>()
    private var waitingMarkers: [Int: RecordBatch] = [:]
    private let lock = NSLock()
    private var pending: [Int: RecordBatch?] = [:]
    private var nextNumber = 0
    private var runningWorkers: Int
    /// What workers' finalize() produced: sent after every worker finished.
    private var finals: [RecordBatch] = []

    init(queues: [BoundedQueue<RecordBatch>], workers: Int, ordered: Bool) {
        self.queues = queues
        self.runningWorkers = workers
        self.ordered = ordered && workers > 1
        parallel = workers > 1
    }

    /// Sends a source's batch (a source has a single worker and no input order to keep).
    func send(_ batch: RecordBatch) {
        push(batch)
    }

    /// Keeps what a worker's finalize() produced until every worker is done.
    func deliverFinal(_ batch: RecordBatch) {
        lock.withLock { finals.append(batch) }
    }

    /// Sends the result of input batch `number` (nil when it produced nothing).
    func deliver(_ batch: RecordBatch?, for number: Int) {
        guard ordered else {
            if parallel { deliverUnordered(batch, for: number) } else if let batch { push(batch) }
            return
        }
        lock.withLock {
            pending[number] = .some(batch)
            while let next = pending.removeValue(forKey: nextNumber) {
                nextNumber += 1
                if let next { push(next) }
            }
        }
    }

    /// Records go on as soon as they are ready, but a checkpoint marker waits until every batch
    /// before it has gone: its commit must cover them.
    private func deliverUnordered(_ batch: RecordBatch?, for number: Int) {
        lock.withLock {
            if let batch {
                if batch.checkpoint != nil { waitingMarkers[number] = batch } else { push(batch) }
            }
            finished.insert(number)
            while finished.remove(nextNumber) != nil {
                if let marker = waitingMarkers.removeValue(forKey: nextNumber) { push(marker) }
                nextNumber += 1
            }
        }
    }

    /// One worker is done; the last one closes the outputs.
    func workerFinished() {
        let last = lock.withLock { () -> Bool in
            runningWorkers -= 1
            return runningWorkers == 0
        }
        guard last else { return }
        for batch in finals { push(batch) }
        queues.forEach { $0.producerFinished() }
    }

    private func push(_ batch: RecordBatch) {
        for q in queues where !q.push(batch) { return }
    }
}
