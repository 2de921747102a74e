import Foundation

/// The time source of the HTTP stack: rate limiters, backoff sleeps, token expiry and
/// `Retry-After` dates read it, so tests can swap in ``ManualHTTPClock`` and never sleep.
///
/// Network timeouts (connect/read/total) always use real time; they guard real sockets.
public protocol HTTPClock: Sendable {
    /// Seconds on a monotonic clock. Only differences between two readings mean anything.
    func now() -> Double
    /// The current wall-clock time, used to turn an HTTP-date `Retry-After` into a delay.
    func wallTime() -> Date
    /// Suspends the current task for `seconds`. Throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// The real clock: a monotonic uptime reading and `Task.sleep`.
public struct SystemHTTPClock: HTTPClock {
    public init() {}

    public func now() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1_000_000_000
    }

    public func wallTime() -> Date {
        Date()
    }

    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return try Task.checkCancellation() }
        try await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
    }
}
