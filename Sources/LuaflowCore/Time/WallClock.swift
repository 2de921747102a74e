import Foundation

/// The time of day the state and the dead letters are stamped with, and that leases expire by.
/// A value, so a test can hand the state backend a clock it moves itself.
public struct WallClock: Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let milliseconds: @Sendable () -> Int64

    public init(milliseconds: @escaping @Sendable () -> Int64) {
        self.milliseconds = milliseconds
    }

    /// The system's real-time clock.
    public static let system = WallClock {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec / 1_000_000)
    }

    /// Now as UTC ISO-8601 with milliseconds (`2026-11-24T04:58:57.212Z`).
    public func timestamp() -> String {
        Self.timestamp(milliseconds: milliseconds())
    }

    /// `milliseconds` since the epoch as UTC ISO-8601 with milliseconds.
    /// Formatted by hand: a formatter per call costs more than the commit it stamps (ICU).
    public static func timestamp(milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds.quotientAndRemainder(dividingBy: 1000).quotient)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func padded(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))T" +
            "\(padded(parts.tm_hour, 2)):\(padded(parts.tm_min, 2)):\(padded(parts.tm_sec, 2)).\(padded(Int32(milliseconds % 1000), 3))Z"
    }
}
