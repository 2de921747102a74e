/// A token bucket that hands out reservations: each request takes a token, and when none is left
/// the token count goes negative and the caller is told how long to wait for its turn. Waiters
/// are thus served in arrival order without a queue. Pure: the time is passed in.
public struct TokenBucket: Sendable, Equatable {
    /// Most tokens the bucket holds: requests that may go at once after a quiet period.
    public private(set) var capacity: Double
    /// Tokens added per second.
    public private(set) var rate: Double
    /// May be negative: that many requests are already waiting.
    public private(set) var tokens: Double
    private var updatedAt: Double

    /// A full bucket.
    public init(rate: Double, capacity: Double, now: Double) {
        self.rate = rate
        self.capacity = max(1, capacity)
        self.tokens = self.capacity
        self.updatedAt = now
    }

    /// Takes one token; returns how many seconds to wait before sending (0 when a token was there).
    public mutating func reserve(now: Double) -> Double {
        refill(now: now)
        tokens -= 1
        return tokens >= 0 ? 0 : -tokens / rate + max(0, updatedAt - now)
    }

    /// Changes the rate from `now` on, keeping the tokens earned so far.
    public mutating func setRate(_ newRate: Double, now: Double) {
        refill(now: now)
        rate = newRate
    }

    private mutating func refill(now: Double) {
        guard now > updatedAt else { return }
        tokens = min(capacity, tokens + (now - updatedAt) * rate)
        updatedAt = now
    }
}
