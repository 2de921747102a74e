/// How many retries a host gets, whatever the attempts each request may use (the retry budgets of
/// finagle and Envoy, gRPC's retry throttling): every request sent to the host deposits `ratio`
/// of a retry, `minPerSecond` retries accrue each second whatever the traffic, at most `burst` are
/// saved, and each retry spends one. A host that keeps failing so gets retries on at most `ratio`
/// of its requests (plus `minPerSecond`), instead of every request of every stage retrying
/// `max_attempts` times: a polite, bounded load on a server in trouble. Pure: the caller passes the time.
public struct RetryBudget: Sendable, Equatable {
    public var config: RetryBudgetConfig
    /// Retries the host may still make now.
    public private(set) var balance: Double
    private var updated: Double

    public init(_ config: RetryBudgetConfig, now: Double) {
        self.config = config
        balance = Double(config.burst)
        updated = now
    }

    /// A request is sent (its first attempt).
    public mutating func deposit(now: Double) {
        refill(now: now)
        balance = min(Double(config.burst), balance + config.ratio)
    }

    /// Takes one retry from the budget; false when there is none left.
    public mutating func withdraw(now: Double) -> Bool {
        refill(now: now)
        guard balance >= 1 else { return false }
        balance -= 1
        return true
    }

    private mutating func refill(now: Double) {
        balance = min(Double(config.burst), balance + max(0, now - updated) * config.minPerSecond)
        updated = max(updated, now)
    }
}
