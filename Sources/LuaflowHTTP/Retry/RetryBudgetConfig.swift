/// `retry = { budget = { ratio = 0.2, min_per_second = 5, burst = 10 } }`: the host's allowance of
/// retries (``RetryBudget``). Every key is optional.
public struct RetryBudgetConfig: Decodable, Sendable, Equatable {
    /// Retries earned per request sent (0.2: at most one request in five retried, over time).
    public var ratio: Double
    /// Retries earned per second whatever the traffic, so a slow connector still retries.
    public var minPerSecond: Double
    /// The most retries saved up, and the budget at the start.
    public var burst: Int

    public init(ratio: Double = 0.2, minPerSecond: Double = 5, burst: Int = 10) {
        self.ratio = ratio
        self.minPerSecond = minPerSecond
        self.burst = burst
    }

    public init(from decoder: Decoder) throws {
        let section = "retry.budget"
        let c = try decoder.configContainer()
        self.init()
        ratio = try c.double("ratio", section) ?? ratio
        minPerSecond = try c.double("min_per_second", section) ?? minPerSecond
        burst = try c.int("burst", section) ?? burst
        try validate()
    }

    public func validate() throws {
        let section = "retry.budget"
        guard ratio >= 0 else { throw HTTPError.invalidConfig(section, "ratio must not be negative") }
        guard minPerSecond >= 0 else { throw HTTPError.invalidConfig(section, "min_per_second must not be negative") }
        guard burst >= 1 else { throw HTTPError.invalidConfig(section, "burst must be at least 1") }
    }
}
