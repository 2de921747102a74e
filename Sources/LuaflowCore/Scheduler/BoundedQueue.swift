import DequeModule
import Foundation

/// A blocking queue with a fixed capacity between stage threads: a full queue blocks the producer
/// (backpressure), an empty one blocks the consumer. It ends when every producer has finished,
/// or at once when cancelled.
final class BoundedQueue<Element>: QueueGauge, @unchecked Sendable {
    private let condition = NSCondition()
    private var items = Deque<Element>()
    private let capacity: Int
    private var openProducers: Int
    private var cancelled = false
    /// Items popped so far: the number of the next `popNumbered` item.
    private var popped = 0
    /// Nanoseconds producers waited for room.
    private var blockedNanoseconds: UInt64 = 0

    init(capacity: Int, producers: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        self.openProducers = producers
    }

    /// Waits for room, then appends. Returns false when the queue was cancelled.
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if items.count >= capacity && !cancelled {
            let started = DispatchTime.now().uptimeNanoseconds
            while items.count >= capacity && !cancelled { condition.wait() }
            blockedNanoseconds += DispatchTime.now().uptimeNanoseconds - started
        }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item. Returns nil once every producer finished and the queue is drained, or
    /// when it was cancelled.
    func pop() -> Element? {
        popNumbered()?.item
    }

    /// Like `pop`, with the item's position in the queue's output order (0, 1, 2...), so parallel
    /// consumers can restore the order.
    func popNumbered() -> (number: Int, item: Element)? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && openProducers > 0 && !cancelled { condition.wait() }
        if cancelled { return nil }
        guard let item = items.popFirst() else { return nil }
        popped += 1
        condition.broadcast()
        return (popped - 1, item)
    }

    /// What `popNumbered(waitingAtMost:)` found.
    enum Pop {
        case item(number: Int, Element)
        /// Nothing came in time; the queue is still open.
        case timedOut
        /// Every producer finished and the queue is drained, or it was cancelled.
        case ended
    }

    /// Like `popNumbered`, giving up after `seconds` (a node with timers wakes for them).
    func popNumbered(waitingAtMost seconds: Double) -> Pop {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && openProducers > 0 && !cancelled {
            if !condition.wait(until: deadline) {
                if items.isEmpty && openProducers > 0 && !cancelled { return .timedOut }
                break
            }
        }
        if cancelled { return .ended }
        guard let item = items.popFirst() else { return .ended }
        popped += 1
        condition.broadcast()
        return .item(number: popped - 1, item)
    }

    /// One producer is done.
    func producerFinished() {
        condition.lock()
        openProducers -= 1
        condition.broadcast()
        condition.unlock()
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return items.count
    }

    var blockedSeconds: Double {
        condition.lock()
        defer { condition.unlock() }
        return Double(blockedNanoseconds) / 1e9
    }

    /// Wakes everyone; pushes fail and pops return nil from now on.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
