import LuaflowCore

/// Every failure of the HTTP stack: a status that stayed bad after retries, a lost connection, a
/// timeout, a redirect loop, a pagination loop, a config mistake.
///
/// Like AsyncHTTPClient's `HTTPClientError`, ``Kind`` is a struct over a private enum so new kinds
/// don't break callers that switch over it. The URL is stored redacted and the description goes
/// through `Redactor.shared`, so secrets never reach a log or an error message:
///
///     GET https://api.example.com/users?page=3&api_key=*** failed with status 503 after 5 attempts: upstream down
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a short stable name (``name``) usable from Lua.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Code: String, Hashable, Sendable {
            case status, connection, timeout, tls, tooManyRedirects = "too_many_redirects"
            case paginationLoop = "pagination_loop", invalidConfig = "invalid_config"
            case invalidResponse = "invalid_response", authentication, cancelled
        }

        private let code: Code
        private init(_ code: Code) { self.code = code }

        /// The server answered with a status that is an error (≥ 400) after every allowed attempt.
        public static let status = Kind(.status)
        /// The connection could not be made or was lost.
        public static let connection = Kind(.connection)
        /// The connect, read or total timeout expired.
        public static let timeout = Kind(.timeout)
        /// TLS failed, for instance the certificate did not verify. Never retried.
        public static let tls = Kind(.tls)
        /// More redirects than `max_redirects`.
        public static let tooManyRedirects = Kind(.tooManyRedirects)
        /// A paginator saw the same cursor or URL twice, or the server ignored the page parameter.
        public static let paginationLoop = Kind(.paginationLoop)
        /// The session or paginator config is wrong; detected before any request.
        public static let invalidConfig = Kind(.invalidConfig)
        /// The response could not be used: malformed JSON where a paginator needs it, a body over
        /// the size limit, a broken compressed body.
        public static let invalidResponse = Kind(.invalidResponse)
        /// Obtaining credentials failed (the OAuth2 token endpoint refused or answered nonsense).
        public static let authentication = Kind(.authentication)
        /// The request was cancelled (the run is stopping).
        public static let cancelled = Kind(.cancelled)

        /// `status`, `connection`, `timeout`, `tls`, `too_many_redirects`, `pagination_loop`,
        /// `invalid_config`, `invalid_response`, `authentication` or `cancelled`.
        public var name: String { code.rawValue }
        public var description: String { name }
    }

    /// The most a body excerpt may hold, in bytes.
    public static let maxExcerptBytes = 300

    public var kind: Kind
    /// `GET`, `POST`... when a request was involved.
    public var method: String?
    /// The request URL with secrets replaced by `***`.
    public var url: String?
    /// The last status received, if any.
    public var status: Int?
    /// How many times the request was sent.
    public var attempts: Int
    /// The start of the last response body (at most ``maxExcerptBytes`` bytes), redacted.
    public var bodyExcerpt: String?
    /// What happened, in words: "connection refused", "read timeout (30 s) expired", "cursor 'x' repeated".
    public var detail: String?

    public init(_ kind: Kind, method: String? = nil, url: String? = nil, status: Int? = nil, attempts: Int = 0,
                body: [UInt8]? = nil, detail: String? = nil) {
        self.kind = kind
        self.method = method
        self.url = url.map(URLRedactor.redact)
        self.status = status
        self.attempts = attempts
        self.bodyExcerpt = body.flatMap(Self.excerpt)
        self.detail = detail.map { Redactor.shared.redact($0) }
    }

    /// A config problem: `section` names where (`http.session`, `retry`, `paginator`...).
    static func invalidConfig(_ section: String, _ message: String) -> HTTPError {
        HTTPError(.invalidConfig, detail: "\(section): \(message)")
    }

    /// The same error naming the request it happened on (for errors raised by pure code).
    func on(method: String, url: String) -> HTTPError {
        var copy = self
        copy.method = copy.method ?? method
        copy.url = copy.url ?? URLRedactor.redact(url)
        return copy
    }

    /// One line: `METHOD URL failed with status S after N attempts (detail): body excerpt`.
    public var description: String {
        let request = method.flatMap { m in url.map { "\(m) \($0)" } }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        var text: String
        switch kind {
        case .status:
            text = "failed with status \(status.map(String.init) ?? "?")"
            if attempts > 0 { text += " after \(tries)" }
            if let detail { text += " (\(detail))" }
            text = request.map { "\($0) \(text)" } ?? text
        case .connection, .timeout, .tls:
            text = kind == .timeout ? "timed out" : "failed"
            if attempts > 0 { text += " after \(tries)" }
            if let detail { text += ": \(detail)" }
            text = request.map { "\($0) \(text)" } ?? text
        default:
            var head = request ?? ""
            if let status { head += head.isEmpty ? "status \(status)" : " (status \(status))" }
            text = [head, detail ?? kind.name].filter { !$0.isEmpty }.joined(separator: ": ")
        }
        if let bodyExcerpt { text += ": \(bodyExcerpt)" }
        return Redactor.shared.redact(text)
    }

    /// The first ``maxExcerptBytes`` bytes as text, cut on a character boundary, whitespace folded,
    /// registered secrets hidden.
    static func excerpt(_ body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        var end = min(body.count, maxExcerptBytes)
        // Don't split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
        if end < body.count { while end > 0 && body[end] & 0xC0 == 0x80 { end -= 1 } }
        var text = String(decoding: body[..<end], as: UTF8.self)
        text = text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        if end < body.count { text += "…" }
        return Redactor.shared.redact(text)
    }
}
