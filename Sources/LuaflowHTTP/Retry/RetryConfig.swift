/// `retry = { max_attempts = 5, base_delay = 0.2, max_delay = 30, retry_non_idempotent = false,
/// statuses = {408, 429, 500, 502, 503, 504}, budget = { ratio = 0.2, min_per_second = 5, burst = 10 } }`.
/// Every key is optional.
public struct RetryConfig: Decodable, Sendable, Equatable {
    public static let defaultStatuses: Set<Int> = [408, 429, 500, 502, 503, 504]

    /// Total tries including the first; 1 disables retries.
    public var maxAttempts: Int
    /// Seconds; the backoff ceiling before the n-th retry is `base_delay * 2^(n-1)`.
    public var baseDelay: Double
    /// Seconds; caps the backoff ceiling and any `Retry-After`.
    public var maxDelay: Double
    /// Retry POST and PATCH too (otherwise only with an `Idempotency-Key` header).
    public var retryNonIdempotent: Bool
    /// Statuses worth another try.
    public var statuses: Set<Int>
    /// How many retries the host gets overall (``RetryBudget``).
    public var budget: RetryBudgetConfig

    public init(maxAttempts: Int = 5, baseDelay: Double = 0.2, maxDelay: Double = 30, retryNonIdempotent: Bool = false,
                statuses: Set<Int> = RetryConfig.defaultStatuses, budget: RetryBudgetConfig = RetryBudgetConfig()) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.retryNonIdempotent = retryNonIdempotent
        self.statuses = statuses
        self.budget = budget
    }

    public init(from decoder: Decoder) throws {
        let section = "retry"
        let c = try decoder.configContainer()
        self.init()
        maxAttempts = try c.int("max_attempts", section) ?? maxAttempts
        baseDelay = try c.double("base_delay", section) ?? baseDelay
        maxDelay = try c.double("max_delay", section) ?? max(maxDelay, baseDelay)
        retryNonIdempotent = try c.bool("retry_non_idempotent", section) ?? retryNonIdempotent
        statuses = try c.ints("statuses", section).map(Set.init) ?? statuses
        budget = try c.section(RetryBudgetConfig.self, "budget") ?? budget
        try validate()
    }

    public func validate() throws {
        let section = "retry"
        guard maxAttempts >= 1 else { throw HTTPError.invalidConfig(section, "max_attempts must be at least 1") }
        guard baseDelay >= 0 else { throw HTTPError.invalidConfig(section, "base_delay must not be negative") }
        guard maxDelay >= baseDelay else { throw HTTPError.invalidConfig(section, "max_delay must be at least base_delay") }
        if let bad = statuses.first(where: { !(100...599).contains($0) }) {
            throw HTTPError.invalidConfig(section, "statuses: \(bad) is not an HTTP status")
        }
    }
}
