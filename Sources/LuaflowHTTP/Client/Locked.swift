import Foundation

/// A value that several threads share, reachable only while holding its lock.
///
/// Keep the closures passed to ``withLock(_:)`` short: never sleep, await or call out to user
/// code while holding the lock.
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) {
        self.value = value
    }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
