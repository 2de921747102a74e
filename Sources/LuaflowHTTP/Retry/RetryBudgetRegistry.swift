import LuaflowCore

/// The retry budgets of a run, one per host (`host:port`), shared by every session and stage, so
/// concurrent requests and several connectors reading one API draw on one allowance. The first
/// session to talk to a host sets its budget. Thread-safe.
final class RetryBudgetRegistry: Sendable {
    private let budgets = Locked<[String: RetryBudget]>([:])

    /// A request to `host` is sent (its first attempt): deposits its share of a retry.
    func deposit(host: String, _ config: RetryBudgetConfig, now: Double) {
        budgets.withLock { all in
            var budget = all[host] ?? RetryBudget(config, now: now)
            budget.deposit(now: now)
            all[host] = budget
        }
    }

    /// Takes a retry from `host`'s budget; false when it is spent.
    func withdraw(host: String, _ config: RetryBudgetConfig, now: Double) -> Bool {
        budgets.withLock { all in
            var budget = all[host] ?? RetryBudget(config, now: now)
            let granted = budget.withdraw(now: now)
            all[host] = budget
            return granted
        }
    }
}
