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

    private func attempts(_ exchange: Exchange, policy: RetryPolicy, raise: Bool, authenticator: Authenticator?,
                          observation: (any HTTPRequestObservation)?) async throws -> HTTPResponse {
        let clock = runtime.clock
        let logger = self.logger ?? runtime.logger
        let target = "\(exchange.method) \(URLRedactor.redact(exchange.url))"
        var attempts = 0
        var renewedCredential = false
        let host = Origin(url: exchange.url)?.hostKey ?? ""
        runtime.retryBudgets.deposit(host: host, policy.budget, now: clock.now())
        /// Whether the host's retry budget grants one more retry.
        func budgetGrants() -> Bool { runtime.retryBudgets.withdraw(host: host, policy.budget, now: clock.now()) }
        let spent = "not retried: the retry budget of \(host) is spent (the server keeps failing; retry.budget)"
        // Bounded: every pass either returns, throws, or uses one of max_attempts (+1 renewal).
        while true {
            attempts += 1
            let budgetUsed = attempts - (renewedCredential ? 1 : 0)
            let credential = try await authenticator?.credential() ?? Authenticator.Credential()
            let response: HTTPResponse
            do {
                response = try await attempt(exchange, credential: credential, authenticator: authenticator, observation: observation)
            } catch let failure as ExchangeFailure {
                let decision = runtime.withRandom {
                    policy.decide(.failure(failure.failure), method: exchange.method, headers: exchange.headers,
                                  attempt: budgetUsed, retryAfter: nil, using: &$0)
                }
                if case .retry(let delay) = decision, budgetGrants() {
                    logger.info("\(target): \(failure.detail); retry \(budgetUsed) of \(policy.maxAttempts - 1) in \(format(delay))")
                    observation?.retrying(host: Origin(url: exchange.url)?.hostKey ?? "", attempt: budgetUsed,
                                          reason: Redactor.shared.redact(failure.detail), delay: delay)
                    try await pause(delay, after: attempts, exchange)
                    continue
                }
                metrics.record { $0.failures += 1 }
                var detail = failure.detail
                if case .retry = decision { detail += "; \(spent)" }
                throw HTTPError(failure.kind, method: exchange.method, url: exchange.url, attempts: attempts, detail: detail)
            }
            var final = response
            final.attempts = attempts
            if let rule = ResponseAction.first(of: responseActions, status: response.status, body: response.body) {
                switch rule.action {
                case .skip:
                    final.skipped = true
                    return final
                case .fail:
                    metrics.record { $0.failures += 1 }
                    throw HTTPError(.status, method: exchange.method, url: response.url, status: response.status,
                                    attempts: attempts, body: response.body, detail: "a response action says fail")
                case .retry:
                    guard budgetUsed < policy.maxAttempts else {
                        metrics.record { $0.failures += 1 }
                        throw HTTPError(.status, method: exchange.method, url: response.url, status: response.status,
                                        attempts: attempts, body: response.body,
                                        detail: "a response action says retry; no attempts left (max_attempts = \(policy.maxAttempts))")
                    }
                    let retryAfter = response.headers["Retry-After"].flatMap { RetryAfter.seconds($0, now: clock.wallTime()) }
                    let delay = retryAfter.map { min(max(0, $0), policy.backoff.maxDelay) }
                        ?? runtime.withRandom { policy.backoff.delay(forRetry: budgetUsed, using: &$0) }
                    logger.info("\(target): status \(response.status) matches a response action; retry \(budgetUsed) of \(policy.maxAttempts - 1) in \(format(delay))")
                    observation?.retrying(host: Origin(url: response.url)?.hostKey ?? "", attempt: budgetUsed,
                                          reason: "response action (status \(response.status))", delay: delay)
                    try await pause(delay, after: attempts, exchange)
                    continue
                }
            }
            if response.status == 401, let authenticator, authenticator.renewsOnUnauthorized, !renewedCredential {
                renewedCredential = true
                await authenticator.invalidate(credential)
                metrics.record { $0.retries += 1 }
                logger.info("\(target): status 401; renewing the OAuth2 token and trying again")
                observation?.retrying(host: Origin(url: response.url)?.hostKey ?? "", attempt: budgetUsed,
                                      reason: "status 401; OAuth2 token renewed", delay: 0)
                continue
            }
            let retryAfter = response.headers["Retry-After"].flatMap { RetryAfter.seconds($0, now: clock.wallTime()) }
            if response.status == 429, let origin = Origin(url: response.url) {
                let pause = retryAfter.map { min($0, policy.backoff.maxDelay) }
                runtime.rateLimiters.recordTooManyRequests(host: origin.hostKey, retryAfter: pause, now: clock.now())
            }
            let decision = runtime.withRandom {
                policy.decide(.status(response.status), method: exchange.method, headers: exchange.headers,
                              attempt: budgetUsed, retryAfter: retryAfter, using: &$0)
            }
            switch decision {
            case .successful:
                return final
            case .retry where !budgetGrants():
                metrics.record { $0.failures += 1 }
                guard raise, response.status >= 400 else { return final }
                throw HTTPError(.status, method: exchange.method, url: response.url, status: response.status,
                                attempts: attempts, body: response.body, detail: spent)
            case .retry(let delay):
                logger.info("\(target): status \(response.status); retry \(budgetUsed) of \(policy.maxAttempts - 1) in \(format(delay))")
                observation?.retrying(host: Origin(url: response.url)?.hostKey ?? "", attempt: budgetUsed,
                                      reason: "status \(response.status)", delay: delay)
                try await pause(delay, after: attempts, exchange)
            case .dontRetry(let reason):
                metrics.record { $0.failures += 1 }
                guard raise, response.status >= 400 else { return final }
                let untried = policy.statuses.contains(response.status) && budgetUsed < policy.maxAttempts
                throw HTTPError(.status, method: exchange.method, url: response.url, status: response.status,
                                attempts: attempts, body: response.body, detail: untried ? "not retried: \(reason)" : nil)
            }
        }
    }

    /// Sleeps before the next attempt; a cancelled sleep ends the request.
    private func pause(_ seconds: Double, after attempts: Int, _ exchange: Exchange) async throws {
        metrics.record { $0.retries += 1 }
        do { try await runtime.clock.sleep(seconds: seconds) } catch {
            throw HTTPError(.cancelled, method: exchange.method, url: exchange.url, attempts: attempts, detail: "cancelled")
        }
    }

    private func format(_ seconds: Double) -> String {
        String(format: "%.2f s", seconds)
    }
}
