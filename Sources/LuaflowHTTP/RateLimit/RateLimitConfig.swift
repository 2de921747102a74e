/// `rate_limit = { requests = 10, per = 1, burst = 10, strategy = "token_bucket" }`: at most
/// `requests` per `per` seconds to the session's host, shared by every session of the run.
public struct RateLimitConfig: Decodable, Sendable, Equatable {
    public enum Strategy: String, Sendable, Equatable {
        /// Smooth: one request every `per/requests` seconds on average, `burst` at once after idling.
        case tokenBucket = "token_bucket"
        /// Strict: never more than `requests` in any window of `per` seconds, as the server counts
        /// them: the limiter's window is `per` plus ``SlidingWindow/margin(for:)``.
        case slidingWindow = "sliding_window"
    }

    public var requests: Int
    /// Seconds.
    public var per: Double
    /// How many requests may go at once after a quiet period (token bucket only). Defaults to `requests`.
    public var burst: Int
    public var strategy: Strategy

    public init(requests: Int, per: Double = 1, burst: Int? = nil, strategy: Strategy = .tokenBucket) {
        self.requests = requests
        self.per = per
        self.burst = burst ?? requests
        self.strategy = strategy
    }

    /// Requests per second.
    public var rate: Double { Double(requests) / per }

    public init(from decoder: Decoder) throws {
        let section = "rate_limit"
        let c = try decoder.configContainer()
        guard let requests = try c.int("requests", section) else {
            throw HTTPError.invalidConfig(section, "requests is required (at most `requests` per `per` seconds)")
        }
        let name = try c.string("strategy", section) ?? Strategy.tokenBucket.rawValue
        guard let strategy = Strategy(rawValue: name) else {
            throw HTTPError.invalidConfig(section, "strategy must be \"token_bucket\" or \"sliding_window\", not \"\(name)\"")
        }
        self.init(requests: requests, per: try c.double("per", section) ?? 1, burst: try c.int("burst", section),
                  strategy: strategy)
        try validate()
    }

    public func validate() throws {
        let section = "rate_limit"
        guard requests >= 1 else { throw HTTPError.invalidConfig(section, "requests must be at least 1") }
        guard per > 0 else { throw HTTPError.invalidConfig(section, "per must be more than 0 seconds") }
        guard burst >= 1 else { throw HTTPError.invalidConfig(section, "burst must be at least 1") }
    }
}
