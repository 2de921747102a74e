import LuaflowCore
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy(RetryConfig())
    var generator = SeededGenerator(seed: 3)

    mutating func decide(_ outcome: AttemptOutcome, _ method: String = "GET", headers: [(String, String)] = [],
                         attempt: Int = 1, retryAfter: Double? = nil, policy: RetryPolicy? = nil) -> RetryDecision {
        (policy ?? self.policy).decide(outcome, method: method, headers: headers, attempt: attempt, retryAfter: retryAfter, using: &generator)
    }

    @Test(arguments: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "get"])
    func idempotentMethodsAreSafeToRepeat(_ method: String) {
        #expect(policy.isSafeToRepeat(method: method, headers: []))
    }

    @Test(arguments: ["POST", "PATCH"])
    func nonIdempotentMethodsNeedAKeyOrOptIn(_ method: String) {
        #expect(!policy.isSafeToRepeat(method: method, headers: []))
        #expect(policy.isSafeToRepeat(method: method, headers: [("idempotency-key", "k-1")]))
        #expect(!policy.isSafeToRepeat(method: method, headers: [("Idempotency-Key", "")]))
        #expect(RetryPolicy(RetryConfig(retryNonIdempotent: true)).isSafeToRepeat(method: method, headers: []))
    }

    @Test mutating func retryableStatusesAreRetriedWithJitteredBackoff() {
        for status in [408, 429, 500, 502, 503, 504] {
            guard case .retry(let delay) = decide(.status(status), attempt: 2) else {
                Issue.record("status \(status) not retried")
                continue
            }
            #expect(delay >= 0 && delay <= 1.0)  // ceiling before the 2nd retry: 0.5 * 2
        }
    }

    @Test mutating func successAndOtherStatusesAreFinal() {
        #expect(decide(.status(200)) == .successful)
        #expect(decide(.status(304)) == .successful)
        guard case .dontRetry = decide(.status(404)) else { Issue.record("404 retried"); return }
        guard case .dontRetry = decide(.status(501)) else { Issue.record("501 retried"); return }
    }

    @Test mutating func aResponseActionsRetryIgnoresStatusAndMethodButNotTheAttemptLimit() {
        // 200 is not a retryable status and POST is not idempotent: a response action's retry wins over both.
        guard case .retry = decide(.retryRequested(status: 200), "POST", attempt: 1) else { Issue.record("not retried"); return }
        #expect(decide(.retryRequested(status: 200), "POST", attempt: 2, retryAfter: 7) == .retry(after: 7))
        #expect(decide(.retryRequested(status: 200), attempt: policy.maxAttempts)
                == .dontRetry(reason: "no attempts left (max_attempts = \(policy.maxAttempts))"))
    }

    @Test mutating func stopsAfterMaxAttempts() {
        guard case .retry = decide(.status(503), attempt: 4) else { Issue.record("attempt 4 of 5 not retried"); return }
        guard case .dontRetry(let reason) = decide(.status(503), attempt: 5) else { Issue.record("retried a 6th time"); return }
        #expect(reason.contains("max_attempts = 5"))
    }

    @Test mutating func retryAfterWinsOverBackoffAndIsCappedByMaxDelay() {
        #expect(decide(.status(429), retryAfter: 7) == .retry(after: 7))
        #expect(decide(.status(503), retryAfter: 3_600) == .retry(after: 30))
        #expect(decide(.status(429), retryAfter: 0) == .retry(after: 0))
    }

    @Test mutating func postIsNotRetriedOnA503UnlessMarkedIdempotent() {
        guard case .dontRetry(let reason) = decide(.status(503), "POST") else { Issue.record("POST retried"); return }
        #expect(reason.contains("not idempotent"))
        guard case .retry = decide(.status(503), "POST", headers: [("Idempotency-Key", "abc")]) else {
            Issue.record("POST with Idempotency-Key not retried")
            return
        }
        guard case .retry = decide(.status(503), "POST", policy: RetryPolicy(RetryConfig(retryNonIdempotent: true))) else {
            Issue.record("retry_non_idempotent ignored")
            return
        }
    }

    @Test mutating func connectFailuresAreRetriedForEveryMethodButLostConnectionsOnlyWhenSafe() {
        guard case .retry = decide(.failure(.connectFailed), "POST") else { Issue.record("connect failure not retried"); return }
        guard case .dontRetry = decide(.failure(.connectionLost), "POST") else { Issue.record("POST resent after a lost connection"); return }
        guard case .dontRetry = decide(.failure(.timeout), "PATCH") else { Issue.record("PATCH resent after a timeout"); return }
        guard case .retry = decide(.failure(.timeout), "GET") else { Issue.record("GET not retried after a timeout"); return }
        guard case .dontRetry = decide(.failure(.permanent), "GET") else { Issue.record("permanent failure retried"); return }
    }

    @Test mutating func customStatusList() {
        let custom = RetryPolicy(RetryConfig(statuses: [418]))
        guard case .retry = decide(.status(418), policy: custom) else { Issue.record("418 not retried"); return }
        guard case .dontRetry = decide(.status(503), policy: custom) else { Issue.record("503 retried"); return }
    }

    @Test mutating func maxAttemptsOfOneDisablesRetries() {
        guard case .dontRetry = decide(.status(503), policy: RetryPolicy(RetryConfig(maxAttempts: 1))) else {
            Issue.record("retried with max_attempts = 1")
            return
        }
    }
}
