import Foundation
import LuaflowCore

/// What a connection's reader task hands a node's thread: items as they arrive, then how the
/// connection ended. The task runs on SwiftNIO and ``DedicatedTaskExecutor``; the node's thread
/// blocks in ``take(until:)``, never on Swift's cooperative pool. Bounded: when `capacity` items
/// wait, the task suspends (and TCP pushes back on the server) until the thread takes one.
final class StreamInbox<Item: Sendable>: @unchecked Sendable {
    /// What ``take(until:)`` found.
    enum Taken {
        case item(Item)
        /// The deadline passed first.
        case timedOut
        /// The connection is over (nil: it ended cleanly) and every item was taken.
        case ended(Error?)
    }

    private let condition = NSCondition()
    private let capacity: Int
    // Guarded by `condition`.
    private var items: [Item] = []
    private var head = 0
    private var end: Error??
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []
    private var spaceActions: [@Sendable () -> Void] = []
    private var closed = false

    init(capacity: Int = 256) {
        self.capacity = max(1, capacity)
    }

    /// Adds `item`, suspending while the inbox is full. Returns false once the thread closed it.
    func push(_ item: Item) async -> Bool {
        while true {
            switch append(item) {
            case .some(let added): return added
            case .none: await withCheckedContinuation { waitForSpace($0) }
            }
        }
    }

    /// Appends `item` when there is room: true; false when closed; nil when full.
    private func append(_ item: Item) -> Bool? {
        condition.lock()
        defer { condition.unlock() }
        if closed { return false }
        guard items.count - head < capacity else { return nil }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Resumes `continuation` once there is room (at once if there is room already, or the inbox is closed).
    private func waitForSpace(_ continuation: CheckedContinuation<Void, Never>) {
        condition.lock()
        if closed || items.count - head < capacity {
            condition.unlock()
            continuation.resume()
            return
        }
        spaceWaiters.append(continuation)
        condition.unlock()
    }

    /// Adds `item` without waiting, for code on an event loop, which cannot suspend. Returns false
    /// when the inbox is full (or closed): the caller stops reading until `whenSpace` runs.
    func offer(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return items.count - head < capacity
    }

    /// Runs `action` (once) when the thread next takes an item.
    func whenSpace(_ action: @escaping @Sendable () -> Void) {
        condition.lock()
        spaceActions.append(action)
        condition.unlock()
    }

    /// The reader is done (`error` nil: the server ended the stream).
    func finish(_ error: Error?) {
        condition.lock()
        if end == nil { end = .some(error) }
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting until `deadline` (uptime nanoseconds; nil: no deadline). Wakes every
    /// 50 ms to see a stop signal, and then throws ``HTTPError/Kind/cancelled``.
    func take(until deadline: UInt64?) throws -> Taken {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if head < items.count {
                let item = items[head]
                head += 1
                if head > 64 && head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
                let (waiters, actions) = (spaceWaiters, spaceActions)
                spaceWaiters = []
                spaceActions = []
                waiters.forEach { $0.resume() }
                actions.forEach { $0() }
                return .item(item)
            }
            if let end { return .ended(end) }
            if Interrupt.requested { throw HTTPError(.cancelled, detail: "stopped by \(Interrupt.signalName)") }
            let now = DispatchTime.now().uptimeNanoseconds
            if let deadline, now >= deadline { return .timedOut }
            let wake = min(deadline ?? .max, now + 50_000_000)
            _ = condition.wait(until: Date(timeIntervalSinceNow: Double(wake - now) / 1e9))
        }
    }

    /// The thread stops listening: a suspended or later push returns false.
    func close() {
        condition.lock()
        closed = true
        let waiters = spaceWaiters
        spaceWaiters = []
        condition.unlock()
        waiters.forEach { $0.resume() }
    }
}
