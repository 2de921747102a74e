import Foundation

/// A value that several threads share, reachable only while holding its lock: the one lock helper
/// of the project (use it wherever a value is guarded by a lock).
///
/// Keep the closures passed to ``withLock(_:)`` short: never sleep, await or call out to user
/// code while holding the lock.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline let lock = NSLock()
    @usableFromInline var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` on the value while holding the lock, and returns what it returns.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
