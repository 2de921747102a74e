import LuaflowCore

/// Decides whether to try a request again and when. Pure: the random source is passed in, so
/// tests pin the jitter with a seeded generator.
///
/// Rules: statuses in `statuses` and transport failures are retried until `max_attempts`; only
/// idempotent methods (GET HEAD PUT DELETE OPTIONS TRACE) unless `retry_non_idempotent` or an
/// `Idempotency-Key` header is set; connections that were never established are retried for any
/// method. The wait is `Retry-After` when the server sent one (capped by `max_delay`), else full-jitter backoff.
public struct RetryPolicy: Sendable, Equatable {
    public static let idempotentMethods: Set<String> = ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]

    public var maxAttempts: Int
    public var backoff: Backoff
    public var retryNonIdempotent: Bool
    public var statuses: Set<Int>
    /// The host's allowance of retries, drawn on by the transfer before each retry.
    public var budget: RetryBudgetConfig

    public init(_ config: RetryConfig) {
        maxAttempts = config.maxAttempts
        backoff = Backoff(baseDelay: config.baseDelay, maxDelay: config.maxDelay)
        retryNonIdempotent = config.retryNonIdempotent
        statuses = config.statuses
        budget = config.budget
    }

    /// Whether repeating `method` (with these header fields) cannot apply its effect twice.
    public func isSafeToRepeat(method: String, headers: [(String, String)]) -> Bool {
        retryNonIdempotent || Self.idempotentMethods.contains(method.uppercased())
            || headers.contains { $0.0.caseInsensitiveCompare("Idempotency-Key") == .orderedSame && !$0.1.isEmpty }
    }

    /// - Parameters:
    ///   - attempt: how many attempts were made so far, including this one (1 after the first).
    ///   - retryAfter: seconds from the response's `Retry-After`, if any.
    public func decide(_ outcome: AttemptOutcome, method: String, headers: [(String, String)], attempt: Int,
                       retryAfter: Double?, using generator: inout some RandomNumberGenerator) -> RetryDecision {
        switch outcome {
        case .status(let status):
            guard statuses.contains(status) else {
                return status >= 400 ? .dontRetry(reason: "status \(status) is not retried") : .successful
            }
            guard isSafeToRepeat(method: method, headers: headers) else {
                return .dontRetry(reason: "\(method) is not idempotent (set an Idempotency-Key or retry_non_idempotent)")
            }
        case .retryRequested:
            break
        case .failure(.permanent):
            return .dontRetry(reason: "the failure is not transient")
        case .failure(.connectFailed):
            break
        case .failure(.connectionLost), .failure(.timeout):
            guard isSafeToRepeat(method: method, headers: headers) else {
                return .dontRetry(reason: "\(method) is not idempotent and may have reached the server")
            }
        }
        guard attempt < maxAttempts else { return .dontRetry(reason: "no attempts left (max_attempts = \(maxAttempts))") }
        if let retryAfter { return .retry(after: min(max(0, retryAfter), backoff.maxDelay)) }
        return .retry(after: backoff.delay(forRetry: attempt, using: &generator))
    }
}
