import Foundation
import LuaflowCore

/// A clock that only moves when told to: ``sleep(seconds:)`` returns at once after advancing the
/// time by the requested amount and recording it. For tests of retries, rate limits and token
/// expiry that must neither sleep nor depend on the machine's speed.
public final class ManualHTTPClock: HTTPClock, @unchecked Sendable {
    private struct State {
        var now: Double
        var wallBase: Date
        var sleeps: [Double] = []
    }

    private let state: Locked<State>

    /// - Parameters:
    ///   - start: the initial monotonic reading.
    ///   - wallTime: the wall-clock time that corresponds to `start`.
    public init(start: Double = 1_000, wallTime: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        state = Locked(State(now: start, wallBase: wallTime.addingTimeInterval(-start)))
    }

    public func now() -> Double {
        state.withLock { $0.now }
    }

    public func wallTime() -> Date {
        state.withLock { $0.wallBase.addingTimeInterval($0.now) }
    }

    /// Records the request and advances the time by `seconds` without waiting.
    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        state.withLock {
            $0.sleeps.append(seconds)
            $0.now += max(0, seconds)
        }
    }

    /// Moves the time forward, as if `seconds` had passed.
    public func advance(by seconds: Double) {
        state.withLock { $0.now += max(0, seconds) }
    }

    /// Every delay passed to ``sleep(seconds:)`` so far, in order.
    public var sleeps: [Double] {
        state.withLock { $0.sleeps }
    }
}
