import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct RetryBudgetTests {
    /// Withdrawals at each time of `times`, in order: granted or not.
    func withdrawals(_ budget: inout RetryBudget, at times: [Double]) -> [Bool] {
        times.map { budget.withdraw(now: $0) }
    }

    @Test func requestsEarnRetriesAndRetriesSpendThem() {
        var budget = RetryBudget(RetryBudgetConfig(ratio: 0.5, minPerSecond: 0, burst: 2), now: 0)
        #expect(withdrawals(&budget, at: [0, 0, 0]) == [true, true, false], "the burst is there at the start")
        budget.deposit(now: 0)
        #expect(withdrawals(&budget, at: [0]) == [false], "half a retry per request")
        budget.deposit(now: 0)
        #expect(withdrawals(&budget, at: [0]) == [true])
    }

    @Test func timeEarnsRetriesUpToTheBurst() {
        var budget = RetryBudget(RetryBudgetConfig(ratio: 0, minPerSecond: 2, burst: 3), now: 0)
        #expect(withdrawals(&budget, at: [0, 0, 0, 0.4, 0.5]) == [true, true, true, false, true], "2 per second: one after half a second")
        budget.deposit(now: 100)
        #expect(budget.balance == 3, "never more than the burst")
    }

    /// A host that keeps failing: once its budget is spent, requests fail after their first
    /// attempt instead of retrying, and say why.
    @Test func aSpentBudgetStopsRetriesToTheHost() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig("""
                {"base_url": "\(server.baseURL)", "retry": {"max_attempts": 5, "budget": {"burst": 2, "ratio": 0, "min_per_second": 0}}}
                """), runtime: runtime)
            let first = await httpError { _ = try await session.execute(HTTPRequest(url: "/status?code=503")) }
            #expect(first?.attempts == 3, "two retries, then the budget is spent")
            #expect(first?.description.contains("retry budget") == true, "\(String(describing: first))")
            let second = await httpError { _ = try await session.execute(HTTPRequest(url: "/status?code=503")) }
            #expect(second?.attempts == 1)
            #expect(server.requests(path: "/status").count == 4)
        }
    }

    @Test func aBadBudgetIsAConfigError() {
        #expect(throws: HTTPError.self) { try sessionConfig(#"{"retry": {"budget": {"burst": 0}}}"#) }
    }
}
