/// What to do after an attempt (after Vector's `RetryAction`).
public enum RetryDecision: Sendable, Equatable {
    /// The response is final and not an error worth retrying (2xx, 3xx, or a status not in the list).
    case successful
    /// Try again after this many seconds.
    case retry(after: Double)
    /// The attempt failed and may not be repeated; the reason is for logs.
    case dontRetry(reason: String)
}
