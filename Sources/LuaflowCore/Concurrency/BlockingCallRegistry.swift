import Foundation

/// The blocking calls in flight of one runtime (HTTP, SQL), so a stop signal (SIGINT, SIGTERM) can
/// end them through ``cancelAll()``. A call started after a stop signal is cancelled at once.
public final class BlockingCallRegistry: Sendable {
    private let tasks = Locked<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

    public init() {}

    /// Runs `work` on ``DedicatedTaskExecutor`` and blocks the calling thread until it ends;
    /// returns its value or throws its error (`CancellationError` or the work's own after a stop).
    public func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
        let call = BlockingCall<Value>()
        let id = tasks.withLock { state in
            state.next += 1
            let task = call.start(work)
            state.running[state.next] = task
            // cancelAll() runs after the signal is seen: it finds this task, or this check does.
            if Interrupt.requested { task.cancel() }
            return state.next
        }
        defer { _ = tasks.withLock { $0.running.removeValue(forKey: id) } }
        return try call.wait()
    }

    /// Cancels every call in flight.
    public func cancelAll() {
        for task in tasks.withLock({ Array($0.running.values) }) { task.cancel() }
    }
}
