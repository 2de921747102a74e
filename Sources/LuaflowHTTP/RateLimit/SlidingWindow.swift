/// At most `limit` requests in any window of `window` seconds (the limiter of seed 000, without
/// its race): each request gets the earliest slot that keeps the count in every window under the
/// limit, and slots are handed out in arrival order. Pure: the time is passed in.
public struct SlidingWindow: Sendable, Equatable {
    public private(set) var limit: Int
    public let window: Double
    /// The last `limit` slots handed out, ascending. Older ones cannot affect future slots.
    public private(set) var slots: [Double] = []

    public init(limit: Int, window: Double) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// What a limiter adds to the configured period so the limit holds where the server counts,
    /// not only in the send times it hands out: a request that first opens its connection, or
    /// that a busy machine sends late, reaches the server a few ms after its slot while later
    /// ones are on time, which shortens the window the server sees. 50 ms, or a tenth of the
    /// period when that is shorter.
    public static func margin(for period: Double) -> Double {
        min(0.05, period / 10)
    }

    /// Books the next slot; returns how many seconds until it (0 when the request may go now).
    public mutating func reserve(now: Double) -> Double {
        var slot = max(now, slots.last ?? now)
        if slots.count >= limit { slot = max(slot, slots[slots.count - limit] + window) }
        slots.append(slot)
        if slots.count > limit { slots.removeFirst(slots.count - limit) }
        return slot - now
    }

    /// Changes the number of requests allowed per window from now on.
    public mutating func setLimit(_ newLimit: Int) {
        limit = max(1, newLimit)
        if slots.count > limit { slots.removeFirst(slots.count - limit) }
    }
}
