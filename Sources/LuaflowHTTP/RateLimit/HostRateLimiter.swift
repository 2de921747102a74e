/// The rate limit of one host: the configured strategy, a slowdown after 429 responses, and a
/// pause until a `Retry-After` has passed. Pure: the time is passed in.
///
/// Each 429 halves the configured rate (down to 1/16 of it, at most once per second so a burst of
/// 429s from parallel stages counts once); the full rate comes back after ``slowdownPeriod``
/// seconds without a 429. Hosts without a configured limit only get the pause.
public struct HostRateLimiter: Sendable, Equatable {
    enum Strategy: Sendable, Equatable {
        case none
        case tokenBucket(TokenBucket)
        case slidingWindow(SlidingWindow)
    }

    /// How long a 429 slowdown lasts.
    public static let slowdownPeriod: Double = 60
    /// The deepest slowdown: rate / 2^maxSlowdown.
    public static let maxSlowdown = 4

    public private(set) var config: RateLimitConfig?
    private var strategy: Strategy
    /// 0 = configured rate; n = rate / 2^n.
    public private(set) var slowdown = 0
    private var slowdownUntil = 0.0
    private var lastSlowdownAt = -Double.infinity
    /// No request leaves before this time (from a `Retry-After`).
    public private(set) var pausedUntil = -Double.infinity

    public init(config: RateLimitConfig?, now: Double) {
        self.config = config
        self.strategy = Self.strategy(for: config, now: now)
    }

    private static func strategy(for config: RateLimitConfig?, now: Double) -> Strategy {
        guard let config else { return .none }
        switch config.strategy {
        case .tokenBucket: return .tokenBucket(TokenBucket(rate: config.rate, capacity: Double(config.burst), now: now))
        case .slidingWindow:
            return .slidingWindow(SlidingWindow(limit: config.requests, window: config.per + SlidingWindow.margin(for: config.per)))
        }
    }

    /// Adopts `newConfig` when it is stricter than the current one (or there was none): when
    /// sessions disagree about a host's limit, the lowest rate wins.
    public mutating func tighten(to newConfig: RateLimitConfig, now: Double) {
        if let config, config.rate <= newConfig.rate { return }
        config = newConfig
        strategy = Self.strategy(for: newConfig, now: now)
        applySlowdown(now: now)
    }

    /// Books a request; returns how many seconds to wait before sending it.
    public mutating func reserve(now: Double) -> Double {
        if slowdown > 0 && now >= slowdownUntil {
            slowdown = 0
            applySlowdown(now: now)
        }
        let start = max(now, pausedUntil)
        let wait: Double
        switch strategy {
        case .none: wait = 0
        case .tokenBucket(var bucket):
            wait = bucket.reserve(now: start)
            strategy = .tokenBucket(bucket)
        case .slidingWindow(var window):
            wait = window.reserve(now: start)
            strategy = .slidingWindow(window)
        }
        return start - now + wait
    }

    /// The host answered 429: slow down, and pause everything until `retryAfter` seconds from now.
    public mutating func recordTooManyRequests(retryAfter: Double?, now: Double) {
        if let retryAfter { pausedUntil = max(pausedUntil, now + retryAfter) }
        guard config != nil else { return }
        slowdownUntil = now + Self.slowdownPeriod
        guard now - lastSlowdownAt >= 1, slowdown < Self.maxSlowdown else { return }
        lastSlowdownAt = now
        slowdown += 1
        applySlowdown(now: now)
    }

    /// The rate in requests per second currently enforced (nil without a configured limit).
    public var currentRate: Double? {
        config.map { $0.rate / Double(1 << slowdown) }
    }

    private mutating func applySlowdown(now: Double) {
        guard let config else { return }
        let factor = 1 << slowdown
        switch strategy {
        case .none: break
        case .tokenBucket(var bucket):
            bucket.setRate(config.rate / Double(factor), now: now)
            strategy = .tokenBucket(bucket)
        case .slidingWindow(var window):
            window.setLimit(max(1, config.requests / factor))
            strategy = .slidingWindow(window)
        }
    }
}
