import Foundation
import LuaflowCore
import Logging

/// A configured HTTP client for one connector: base URL, default headers, auth, retries, rate
/// limit and timeouts from an ``HTTPSessionConfig``, on the shared connections of an ``HTTPRuntime``.
///
///     let session = try HTTPSession(config: .decode(json: table), runtime: .shared)
///     let page = try await session.execute(HTTPRequest(url: "/users", query: [("limit", "100")]))
///
/// Thread-safe: stages may share a session.
public final class HTTPSession: Sendable {
    public let config: HTTPSessionConfig
    public let runtime: HTTPRuntime
    /// This session's counts (the runtime's ``HTTPRuntime/metrics`` has the total of all sessions).
    public let metrics: HTTPMetrics
    let policy: RetryPolicy
    let authenticator: Authenticator
    /// The header fields that may go to another origin than the credentials'.
    let crossOrigin: CrossOriginHeaders
    let profile: HTTPRuntime.ClientProfile
    let logger: Logger
    /// The pipeline node the session belongs to, for observers.
    let node: String?
    /// What ``noteOnce(_:)`` said already.
    private let noted = Locked<Set<String>>([])

    /// Validates `config`, registers its credentials with `Redactor.shared` and its rate limit
    /// with the runtime. Throws ``HTTPError/Kind/invalidConfig``.
    /// `logger`: where this session's retries are logged (default: the runtime's); `node`: the
    /// pipeline node it belongs to, for the runtime's observer.
    public init(config: HTTPSessionConfig, runtime: HTTPRuntime = .shared, logger: Logger? = nil, node: String? = nil) throws {
        try config.validate()
        self.config = config
        self.runtime = runtime
        self.node = node
        self.logger = logger ?? runtime.logger
        let metrics = HTTPMetrics(parent: runtime.metrics)
        let policy = RetryPolicy(config.retry)
        let profile = HTTPRuntime.ClientProfile(insecure: config.insecure, connectTimeout: config.timeout.connect,
                                                readTimeout: config.timeout.read)
        self.metrics = metrics
        self.policy = policy
        self.profile = profile
        self.crossOrigin = CrossOriginHeaders(forwardHeaders: config.forwardHeaders)
        config.credentials.forEach(Redactor.shared.add)
        // The token endpoint gets the session's retries and timeouts, but not its auth, base URL or rate
        // limit, and no redirects: a 307 would carry client_secret (in the form or Basic header) elsewhere.
        var tokenTransfer = Transfer(runtime: runtime, metrics: metrics, profile: profile, timeouts: config.timeout,
                                     maxBodyBytes: config.maxBodyBytes, maxRedirects: 0, rateLimit: nil)
        tokenTransfer.logger = self.logger
        tokenTransfer.node = node
        let tokens = tokenTransfer
        let userAgent = config.userAgent
        var tokenPolicy = policy
        tokenPolicy.retryNonIdempotent = true  // a client-credentials grant has no side effect worth protecting
        self.authenticator = Authenticator(config.auth, clock: runtime.clock) { [tokenPolicy] request in
            let exchange = Exchange(method: request.method, url: request.url, headers: request.headers + [("User-Agent", userAgent)],
                                    body: request.body, credentialOrigin: Origin(url: request.url))
            return try await tokens.withRetries(exchange, policy: tokenPolicy, raise: false, authenticator: nil)
        }
        if let rateLimit = config.rateLimit, let base = config.baseURL, let origin = Origin(url: base) {
            runtime.rateLimiters.configure(host: origin.hostKey, rateLimit, now: runtime.clock.now())
        }
    }

    /// Logs `message` at info level the first time this session is given it (a paginator detected
    /// for each partition of a stream is said once).
    func noteOnce(_ message: String) {
        guard noted.withLock({ $0.insert(message).inserted }) else { return }
        logger.info("\(message)")
    }

    /// Sends `request`: joins it to `base_url`, adds headers and credentials, waits for the rate
    /// limiter, follows redirects (on another origin only harmless or `forward_headers` fields go
    /// along, never credentials), retries per the
    /// retry config, and decompresses gzip/deflate bodies.
    ///
    /// - Parameter raise: when true (the default), a final status ≥ 400 throws ``HTTPError`` of kind
    ///   ``HTTPError/Kind/status``; when false, the response is returned whatever its status.
    ///   Transport failures always throw.
    public func execute(_ request: HTTPRequest, raise: Bool = true) async throws -> HTTPResponse {
        try await execute(request, raise: raise, credentialOrigin: credentialOrigin(of: request.resolvedURL(base: config.baseURL)))
    }

    /// ``execute(_:raise:)`` sending credentials only to `credentialOrigin` (nil: to no origin), as a
    /// pagination does for its pages. Throws ``HTTPError/Kind/invalidConfig`` for a method that is
    /// not an RFC 9110 token.
    func execute(_ request: HTTPRequest, raise: Bool, credentialOrigin: Origin?) async throws -> HTTPResponse {
        try HTTPRequest.validate(method: request.method)
        let exchange = Exchange(method: request.method, url: try request.resolvedURL(base: config.baseURL),
                                headers: mergedHeaders(request.headers), body: request.body, credentialOrigin: credentialOrigin)
        var transfer = Transfer(runtime: runtime, metrics: metrics, profile: profile, timeouts: config.timeout,
                                maxBodyBytes: config.maxBodyBytes, maxRedirects: config.maxRedirects,
                                rateLimit: config.baseURL == nil ? config.rateLimit : nil)
        transfer.logger = logger
        transfer.node = node
        transfer.responseActions = config.responseActions
        transfer.crossOrigin = crossOrigin
        return try await transfer.withRetries(exchange, policy: policy, raise: raise, authenticator: authenticator)
    }

    /// The origin the session's credentials belong to for a request to `url`: the origin of
    /// `base_url` when the session has one, else the URL's own.
    func credentialOrigin(of url: String) -> Origin? {
        config.baseURL.flatMap { Origin(url: $0) } ?? Origin(url: url)
    }

    /// ``execute(_:raise:)`` for code running on its own thread (a pipeline stage running Lua):
    /// runs the request and blocks the calling thread until it finishes. Cancelled by
    /// ``HTTPRuntime/cancelBlockingCalls()``.
    ///
    /// - Warning: Call it only from dedicated threads (`Thread`, stage threads), never from Swift's
    ///   cooperative pool (an `async` function, a `Task`, an actor). The request itself runs on a
    ///   dedicated executor, so it cannot deadlock, but the pool has only as many threads as cores and
    ///   everything else scheduled on it waits while one is blocked.
    @available(*, noasync, message: "blocks the calling thread; use execute(_:raise:)")
    public func executeBlocking(_ request: HTTPRequest, raise: Bool = true) throws -> HTTPResponse {
        try runtime.runBlocking { try await self.execute(request, raise: raise) }
    }

    /// Session headers, then `User-Agent`, then the request's headers (a request header replaces a
    /// session header of the same name, any case).
    func mergedHeaders(_ requestHeaders: [(String, String)]) -> [(String, String)] {
        var fields = HTTPHeaderFields(config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        if !fields.contains("User-Agent") { fields.add("User-Agent", config.userAgent) }
        for (name, _) in requestHeaders { fields.remove(name) }
        for (name, value) in requestHeaders { fields.add(name, value) }
        return fields.entries.map { ($0.name, $0.value) }
    }
}
