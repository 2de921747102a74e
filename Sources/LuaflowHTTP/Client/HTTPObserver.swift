/// Watches HTTP requests from outside (metrics and trace exporters). Called once per request and
/// per attempt, never per record; implementations must return quickly and never block.
public protocol HTTPObserver: Sendable {
    /// A request (with all its retries) starts. `node` is the pipeline node that made it, if any;
    /// `url` is already redacted.
    func requestStarted(node: String?, method: String, url: String) -> any HTTPRequestObservation
}

/// What an ``HTTPObserver`` follows of one request.
public protocol HTTPRequestObservation: Sendable {
    /// Headers added to every attempt of the request (trace context such as `traceparent`).
    var headers: [(String, String)] { get }
    /// The request waited `seconds` for the rate limit of `host` (`host:port`).
    func rateLimited(host: String, seconds: Double)
    /// One attempt (or redirect hop) got an answer (`status`) or none (nil) after `seconds`.
    func attemptFinished(host: String, status: Int?, seconds: Double, bytes: Int)
    /// The request is tried again after `delay` seconds, because of `reason` (redacted).
    func retrying(host: String, attempt: Int, reason: String, delay: Double)
    /// The request ended: `status` is the final status (nil: no response), `error` is why it failed.
    func finished(status: Int?, attempts: Int, error: String?)
}
