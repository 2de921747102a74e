import Foundation
import LuaflowCore

extension Transfer {
    /// Runs attempts of `exchange` until one succeeds, the retry policy gives up, or the error is
    /// permanent. A 401 with OAuth2 renews the token and tries once more without using up an attempt.
    /// The runtime's observer, if any, follows the request from start to end.
    func withRetries(_ exchange: Exchange, policy: RetryPolicy, raise: Bool, authenticator: Authenticator?) async throws -> HTTPResponse {
        guard let observer = runtime.observer else {
            return try await attempts(exchange, policy: policy, raise: raise, authenticator: authenticator, observation: nil)
        }
        let observation = observer.requestStarted(node: node, method: exchange.method, url: URLRedactor.redact(exchange.url))
        do {
            let response = try await attempts(exchange, policy: policy, raise: raise, authenticator: authenticator, observation: observation)
            observation.finished(status: response.status, attempts: response.attempts, error: nil)
            return response
        } catch {
            let failure = error as? HTTPError
            observation.finished(status: failure?.status, attempts: failure?.attempts ?? 0, error: failure?.description ?? "\(error)")
            throw error
        }
    }

    /// What follows one attempt.
    private enum NextStep {
        /// The answer of the request.
        case finish(HTTPResponse)
        /// Wait `delay` seconds and try again; `reason` goes to the log, `observed` to traces with
        /// the host that answered (after redirects) or failed.
        case retry(delay: Double, reason: String, observed: String, host: String)
        /// OAuth2 answered 401 (from `host`): renew the token and try again without using up an attempt.
        case renewCredential(host: String)
    }

    /// One request's attempts, and what they have used up so far.
    private struct Attempts {
        let exchange: Exchange
        let policy: RetryPolicy
        let raise: Bool
        let host: String
        var made = 0
        var renewedCredential = false
        /// The attempts that count against `max_attempts` (a token renewal does not).
        var counted: Int { made - (renewedCredential ? 1 : 0) }
    }

    private func attempts(_ exchange: Exchange, policy: RetryPolicy, raise: Bool, authenticator: Authenticator?,
                          observation: (any HTTPRequestObservation)?) async throws -> HTTPResponse {
        let logger = self.logger ?? runtime.logger
        let target = "\(exchange.method) \(URLRedactor.redact(exchange.url))"
        var state = Attempts(exchange: exchange, policy: policy, raise: raise, host: Origin(url: exchange.url)?.hostKey ?? "")
        runtime.retryBudgets.deposit(host: state.host, policy.budget, now: runtime.clock.now())
        // Bounded: every pass either returns, throws, or uses one of max_attempts (+1 renewal).
        while true {
            state.made += 1
            let credential = try await authenticator?.credential() ?? Authenticator.Credential()
            let step: NextStep
            do {
                let response = try await attempt(exchange, credential: credential, authenticator: authenticator, observation: observation)
                step = try after(response, state, renews: authenticator?.renewsOnUnauthorized == true)
            } catch let failure as ExchangeFailure {
                step = try after(failure, state)
            }
            switch step {
            case .finish(let response):
                return response
            case .renewCredential(let host):
                let attempt = state.counted
                state.renewedCredential = true
                await authenticator?.invalidate(credential)
                metrics.record { $0.retries += 1 }
                logger.info("\(target): status 401; renewing the OAuth2 token and trying again")
                observation?.retrying(host: host, attempt: attempt, reason: "status 401; OAuth2 token renewed", delay: 0)
            case .retry(let delay, let reason, let observed, let host):
                logger.info("\(target): \(reason); retry \(state.counted) of \(policy.maxAttempts - 1) in \(String(format: "%.2f s", delay))")
                observation?.retrying(host: host, attempt: state.counted, reason: observed, delay: delay)
                metrics.record { $0.retries += 1 }
                do { try await runtime.clock.sleep(seconds: delay) } catch {
                    throw HTTPError(.cancelled, method: exchange.method, url: exchange.url, attempts: state.made, detail: "cancelled")
                }
            }
        }
    }

    /// After an attempt that got no answer: retry while the policy and the host's budget allow.
    private func after(_ failure: ExchangeFailure, _ state: Attempts) throws -> NextStep {
        let decision = decide(.failure(failure.failure), state, retryAfter: nil)
        if case .retry(let delay) = decision, budgetGrants(state) {
            return .retry(delay: delay, reason: failure.detail, observed: Redactor.shared.redact(failure.detail), host: state.host)
        }
        metrics.record { $0.failures += 1 }
        var detail = failure.detail
        if case .retry = decision { detail += "; \(budgetSpent(state))" }
        throw HTTPError(failure.kind, method: state.exchange.method, url: state.exchange.url, attempts: state.made, detail: detail)
    }

    /// After an answer: response actions first, then an OAuth2 renewal, then the retry policy
    /// (its statuses, `Retry-After`, the host's budget).
    private func after(_ response: HTTPResponse, _ state: Attempts, renews: Bool) throws -> NextStep {
        var final = response
        final.attempts = state.made
        let answeredBy = Origin(url: response.url)?.hostKey ?? ""
        let retryAfter = response.headers["Retry-After"].flatMap { RetryAfter.seconds($0, now: runtime.clock.wallTime()) }
        if let rule = ResponseAction.first(of: responseActions, status: response.status, body: response.body) {
            switch rule.action {
            case .skip:
                final.skipped = true
                return .finish(final)
            case .fail:
                throw statusError(response, state, detail: "a response action says fail")
            case .retry:
                let decision = decide(.retryRequested(status: response.status), state, retryAfter: retryAfter)
                guard case .retry(let delay) = decision else {
                    let reason = if case .dontRetry(let reason) = decision { reason } else { "" }
                    throw statusError(response, state, detail: "a response action says retry; \(reason)")
                }
                return .retry(delay: delay, reason: "status \(response.status) matches a response action",
                              observed: "response action (status \(response.status))", host: answeredBy)
            }
        }
        if response.status == 401, renews, !state.renewedCredential {
            return .renewCredential(host: answeredBy)
        }
        if response.status == 429, let origin = Origin(url: response.url) {
            let pause = retryAfter.map { min($0, state.policy.backoff.maxDelay) }
            runtime.rateLimiters.recordTooManyRequests(host: origin.hostKey, retryAfter: pause, now: runtime.clock.now())
        }
        let detail: String?
        switch decide(.status(response.status), state, retryAfter: retryAfter) {
        case .successful:
            return .finish(final)
        case .retry(let delay) where budgetGrants(state):
            return .retry(delay: delay, reason: "status \(response.status)", observed: "status \(response.status)", host: answeredBy)
        case .retry:
            detail = budgetSpent(state)
        case .dontRetry(let reason):
            let untried = state.policy.statuses.contains(response.status) && state.counted < state.policy.maxAttempts
            detail = untried ? "not retried: \(reason)" : nil
        }
        guard state.raise, response.status >= 400 else {
            metrics.record { $0.failures += 1 }
            return .finish(final)
        }
        throw statusError(response, state, detail: detail)
    }

    /// The retry policy's decision on this attempt (the jitter drawn from the runtime's random source).
    private func decide(_ outcome: AttemptOutcome, _ state: Attempts, retryAfter: Double?) -> RetryDecision {
        runtime.withRandom {
            state.policy.decide(outcome, method: state.exchange.method, headers: state.exchange.headers,
                                attempt: state.counted, retryAfter: retryAfter, using: &$0)
        }
    }

    /// Whether the host's retry budget grants one more retry (drawing on it).
    private func budgetGrants(_ state: Attempts) -> Bool {
        runtime.retryBudgets.withdraw(host: state.host, state.policy.budget, now: runtime.clock.now())
    }

    private func budgetSpent(_ state: Attempts) -> String {
        "not retried: the retry budget of \(state.host) is spent (the server keeps failing; retry.budget)"
    }

    /// The request's failure with the final answer's status (counted as a failed request).
    private func statusError(_ response: HTTPResponse, _ state: Attempts, detail: String?) -> HTTPError {
        metrics.record { $0.failures += 1 }
        return HTTPError(.status, method: state.exchange.method, url: response.url, status: response.status,
                         attempts: state.made, body: response.body, detail: detail)
    }
}
