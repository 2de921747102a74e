import Foundation

/// Runs async work for a thread that must wait for it: a stage thread calling into the HTTP or
/// database stack from Lua or a built-in. The work runs on the Swift concurrency runtime; the caller blocks on a semaphore.
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
