import Foundation
import LuaflowCore

/// Runs async work for a thread that must wait for it: a stage thread calling into the HTTP stack
/// from Lua. The work runs on the Swift concurrency runtime; the caller blocks on a semaphore.
final class BlockingCall<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, Error>?  // written once by the task, read after `done` is signalled

    /// Starts `work` and returns the task, so it can be cancelled while the caller waits. The work
    /// runs on ``DedicatedTaskExecutor``, never on the cooperative pool the caller may be blocking.
    func start(_ work: @escaping @Sendable () async throws -> Value) -> Task<Void, Never> {
        let body: @Sendable () async -> Void = { [self] in
            do { result = .success(try await work()) } catch { result = .failure(error) }
            done.signal()
        }
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            return Task(executorPreference: DedicatedTaskExecutor.shared, operation: body)
        }
        return Task.detached(operation: body)
    }

    /// Blocks until the work finished and returns its value or throws its error.
    func wait() throws -> Value {
        done.wait()
        return try result!.get()
    }
}

/// The blocking calls in flight, so ``HTTPRuntime/cancelBlockingCalls()`` can end them (SIGINT,
/// SIGTERM). A call started after a stop signal is cancelled at once.
final class BlockingCallRegistry: Sendable {
    private let tasks = Locked<(next: Int, running: [Int: Task<Void, Never>])>((0, [:]))

    func run<Value: Sendable>(_ work: @escaping @Sendable () async throws -> Value) throws -> Value {
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

    func cancelAll() {
        for task in tasks.withLock({ Array($0.running.values) }) { task.cancel() }
    }
}
