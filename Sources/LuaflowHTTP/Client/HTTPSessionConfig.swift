import Foundation

/// Everything `http.session{...}` accepts, decoded from the JSON form of the Lua table with the
/// keys users write:
///
///     { base_url = "https://api.example.com/v1", headers = { Accept = "application/json" },
///       auth = { bearer = config.token },
///       retry = { max_attempts = 5, base_delay = 0.2, max_delay = 30, retry_non_idempotent = false,
///                 statuses = { 408, 429, 500, 502, 503, 504 } },
///       rate_limit = { requests = 10, per = 1, burst = 10, strategy = "token_bucket" },
///       timeout = { connect = 10, read = 30, total = 120 },   -- or timeout = 120
///       insecure = false, max_redirects = 5, user_agent = "luaflow", max_body_bytes = 268435456,
///       forward_headers = { "X-Trace" } }
///
/// Unknown keys are errors (a typo must not silently disable a rate limit): `http.session`
/// checks the table against the `session` schema of ``HTTPSchemas`` before it is decoded.
public struct HTTPSessionConfig: Decodable, Sendable {
    public static let defaultUserAgent = "luaflow"
    public static let defaultMaxBodyBytes = 256 << 20

    /// Joined with relative request paths. Nil: every request needs an absolute URL.
    public var baseURL: String?
    /// Sent with every request; a request's own header of the same name wins.
    public var headers: [String: String]
    /// Header fields, besides the harmless ones (`Accept`, `User-Agent`, `Content-Type`...), that
    /// go along to another origin than the credentials' (a next link or redirect elsewhere).
    public var forwardHeaders: [String] = []
    public var auth: AuthConfig?
    public var retry: RetryConfig
    public var rateLimit: RateLimitConfig?
    public var timeout: TimeoutConfig
    /// Skip TLS certificate verification. Only ever per session, explicitly.
    public var insecure: Bool
    /// Redirects followed per attempt; 0 returns 3xx responses as they are.
    public var maxRedirects: Int
    public var userAgent: String
    /// Responses larger than this (after decompression) fail with ``HTTPError/Kind/invalidResponse``.
    public var maxBodyBytes: Int
    /// Rules checked against every response before the default error handling.
    public var responseActions: [ResponseAction] = []

    public init(baseURL: String? = nil, headers: [String: String] = [:], auth: AuthConfig? = nil,
                retry: RetryConfig = RetryConfig(), rateLimit: RateLimitConfig? = nil, timeout: TimeoutConfig = TimeoutConfig(),
                insecure: Bool = false, maxRedirects: Int = 5, userAgent: String = HTTPSessionConfig.defaultUserAgent,
                maxBodyBytes: Int = HTTPSessionConfig.defaultMaxBodyBytes) {
        self.baseURL = baseURL
        self.headers = headers
        self.auth = auth
        self.retry = retry
        self.rateLimit = rateLimit
        self.timeout = timeout
        self.insecure = insecure
        self.maxRedirects = maxRedirects
        self.userAgent = userAgent
        self.maxBodyBytes = maxBodyBytes
    }

    public init(from decoder: Decoder) throws {
        let section = "http.session"
        let c = try decoder.configContainer()
        self.init()
        baseURL = try c.string("base_url", section)
        headers = try c.stringMap("headers", section) ?? [:]
        forwardHeaders = try c.strings("forward_headers", section) ?? []
        auth = try c.section(AuthConfig.self, "auth")
        retry = try c.section(RetryConfig.self, "retry") ?? retry
        rateLimit = try c.section(RateLimitConfig.self, "rate_limit")
        timeout = try c.section(TimeoutConfig.self, "timeout") ?? timeout
        insecure = try c.bool("insecure", section) ?? false
        maxRedirects = try c.int("max_redirects", section) ?? maxRedirects
        userAgent = try c.string("user_agent", section) ?? userAgent
        maxBodyBytes = try c.int("max_body_bytes", section) ?? maxBodyBytes
        responseActions = try c.section([ResponseAction].self, "response_actions") ?? []
        try validate()
    }

    /// Decodes the JSON form of a Lua table; every problem becomes an ``HTTPError`` of kind
    /// ``HTTPError/Kind/invalidConfig`` naming the key.
    public static func decode(json: Data) throws -> HTTPSessionConfig {
        try decodeConfig(HTTPSessionConfig.self, from: json, section: "http.session")
    }

    /// Checks the values (decoding does this too; call it after building a config in Swift).
    public func validate() throws {
        let section = "http.session"
        if let baseURL {
            guard let origin = Origin(url: baseURL), ["http", "https"].contains(origin.scheme) else {
                throw HTTPError.invalidConfig(section, "base_url must be an absolute http(s) URL, not '\(URLRedactor.redact(baseURL))'")
            }
        }
        guard maxRedirects >= 0 else { throw HTTPError.invalidConfig(section, "max_redirects must not be negative") }
        guard maxBodyBytes > 0 else { throw HTTPError.invalidConfig(section, "max_body_bytes must be positive") }
        try retry.validate()
        try rateLimit?.validate()
        try timeout.validate()
    }
}
