import Foundation
import LuaflowCore

/// How often and how patiently a refused or lost connection is tried again: `attempts` tries in
/// all, with full-jitter ``Backoff`` between them. The wait ends at once on a stop signal.
public struct SQLRetry: Sendable {
    public var attempts: Int
    public var backoff: Backoff

    public init(attempts: Int = 5, backoff: Backoff = Backoff(baseDelay: 0.5, maxDelay: 10)) {
        self.attempts = max(1, attempts)
        self.backoff = backoff
    }

    /// Runs `body` until it succeeds, fails with an error that is not a retryable ``SQLError``, or
    /// has been tried `attempts` times (the last error then says how many).
    func run<T>(runtime: SQLRuntime, _ body: () throws -> T) throws -> T {
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            do { return try body() } catch let failure as SQLError where failure.isRetryable {
                guard attempt < attempts else {
                    throw attempts == 1 ? failure
                        : SQLError(failure.kind, "\(failure.message) (after \(attempts) attempts)", sqlState: failure.sqlState)
                }
                let delay = backoff.delay(forRetry: attempt, using: &generator)
                do {
                    try runtime.calls.run { try await Task.sleep(nanoseconds: UInt64(delay * 1e9)) }
                } catch {
                    throw SQLError(.interrupted, "stopped by a stop signal while waiting to reconnect (\(failure.message))")
                }
                attempt += 1
            }
        }
    }
}
