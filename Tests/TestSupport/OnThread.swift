import Foundation

/// Runs `body` on a new thread (like a pipeline stage) and waits for it without holding one of
/// the few threads of Swift's cooperative pool, which the async tests running alongside need.
public func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
