import Foundation

/// A blocking queue with a fixed capacity between stage threads: a full queue blocks the producer
/// (backpressure), an empty one blocks the consumer. It ends when every producer has finished,
/// or at once when cancelled.
final class BoundedQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private let capacity: Int
    private var openProducers: Int
    private var cancelled = false

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
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for an item. Returns nil once every producer finished and the queue is drained, or
    /// when it was cancelled.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == items.count && openProducers > 0 && !cancelled { condition.wait() }
        if cancelled || head == items.count { return nil }
        let item = items[head]
        head += 1
        if head > 64 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return item
    }

    /// One producer is done.
    func producerFinished() {
        condition.lock()
        openProducers -= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Wakes everyone; pushes fail and pops return nil from now on.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        head = 0
        condition.broadcast()
        condition.unlock()
    }
}
