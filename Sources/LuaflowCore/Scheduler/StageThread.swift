import Foundation

/// Runs one node on a dedicated thread (never on Swift's cooperative pool): Lua execution and
/// file I/O block only this thread, and queues connect it to its neighbours.
final class StageThread {
    private let thread: Thread

    init(name: String, group: DispatchGroup, body: @escaping @Sendable () -> Void) {
        group.enter()
        thread = Thread {
            body()
            group.leave()
        }
        thread.name = "luaflow:\(name)"
        thread.stackSize = 16 << 20
    }

    func start() { thread.start() }
}
