/// How one attempt ended, as far as retrying is concerned.
public enum AttemptOutcome: Sendable, Equatable {
    /// The server answered.
    case status(Int)
    /// No answer: see ``TransportFailure``.
    case failure(TransportFailure)
    /// The server answered and a response action (`response_actions`) asked for a retry: tried
    /// again whatever the status and method, while attempts last.
    case retryRequested(status: Int)
}

/// Why an attempt got no answer. The distinction matters for non-idempotent methods: a request
/// that never left (`connectFailed`) is always safe to send again; one that may have reached the
/// server (`connectionLost`, `timeout`) only when the method is idempotent.
public enum TransportFailure: Sendable, Equatable {
    /// The connection was never established (refused, DNS, connect timeout).
    case connectFailed
    /// The connection broke while the request or response was in flight.
    case connectionLost
    /// The read or total timeout expired.
    case timeout
    /// Not worth retrying: TLS verification, a malformed or oversized response, cancellation.
    case permanent
}
