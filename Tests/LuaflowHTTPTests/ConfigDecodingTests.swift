import Foundation
import LuaflowCore
import LuaflowHTTP
import Testing

@Suite struct SessionConfigDecodingTests {
    @Test func defaults() throws {
        let config = try sessionConfig(#"{"base_url": "https://api.example.com"}"#)
        #expect(config.retry == RetryConfig(maxAttempts: 5, baseDelay: 0.2, maxDelay: 30, retryNonIdempotent: false,
                                           statuses: [408, 429, 500, 502, 503, 504]))
        #expect(config.timeout == TimeoutConfig(connect: 10, read: 30, total: 120))
        #expect(config.rateLimit == nil && config.auth == nil && !config.insecure)
        #expect(config.maxRedirects == 5)
        #expect(config.userAgent == "luaflow")
    }

    @Test func everyKeyAsALuaUserWritesIt() throws {
        let config = try sessionConfig(#"""
            {"base_url": "https://api.example.com/v2", "headers": {"Accept": "application/json", "X-Version": 2},
             "retry": {"max_attempts": 3, "base_delay": 0.1, "max_delay": 2, "retry_non_idempotent": true, "statuses": [503]},
             "rate_limit": {"requests": 10, "per": 2, "burst": 3, "strategy": "sliding_window"},
             "timeout": {"connect": 1, "read": 2.5, "total": 9}, "insecure": true, "max_redirects": 0, "user_agent": "me/1"}
            """#)
        #expect(config.headers == ["Accept": "application/json", "X-Version": "2"])
        #expect(config.retry == RetryConfig(maxAttempts: 3, baseDelay: 0.1, maxDelay: 2, retryNonIdempotent: true, statuses: [503]))
        #expect(config.rateLimit == RateLimitConfig(requests: 10, per: 2, burst: 3, strategy: .slidingWindow))
        #expect(config.timeout == TimeoutConfig(connect: 1, read: 2.5, total: 9))
        #expect(config.insecure && config.maxRedirects == 0 && config.userAgent == "me/1")
    }

    @Test func aNumberTimeoutIsTheTotal() throws {
        #expect(try sessionConfig(#"{"timeout": 15}"#).timeout == TimeoutConfig(connect: 10, read: 30, total: 15))
    }

    @Test func emptyLuaTablesMayArriveAsArrays() throws {
        let config = try sessionConfig(#"{"headers": [], "retry": {"statuses": []}}"#)
        #expect(config.headers.isEmpty && config.retry.statuses.isEmpty)
    }

    @Test(arguments: [
        (#"{"retry": {"max_attempts": 0}}"#, "max_attempts must be at least 1"),
        (#"{"retry": {"base_delay": "fast"}}"#, "base_delay must be a number"),
        (#"{"rate_limit": {"per": 1}}"#, "requests is required"),
        (#"{"rate_limit": {"requests": 5, "strategy": "leaky"}}"#, "strategy must be"),
        (#"{"timeout": {"read": 0}}"#, "read must be more than 0"),
        (#"{"base_url": "api.example.com"}"#, "base_url must be an absolute http(s) URL"),
        (#"{"auth": {}}"#, "needs one of api_key, bearer, basic, oauth2"),
        (#"{"auth": {"bearer": "a", "api_key": "b"}}"#, "choose one"),
        (#"{"auth": {"bearer": ""}}"#, "bearer is empty"),
        (#"{"auth": {"bearer": "x", "header": "X"}}"#, "only apply to api_key"),
        (#"{"auth": {"oauth2": {"token_url": "https://a/t", "client_id": "c"}}}"#, "client_secret is required"),
        (#"{"max_redirects": 1.5}"#, "max_redirects must be an integer"),
        ("[1, 2]", "http.session"),
    ])
    func mistakesAreReportedByKey(_ json: String, _ message: String) {
        let error = #expect(throws: HTTPError.self) { try sessionConfig(json) }
        #expect(error?.kind == .invalidConfig)
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }

    @Test func authForms() throws {
        #expect(try sessionConfig(#"{"auth": {"api_key": "k1234"}}"#).auth == .apiKey("k1234", .header("X-API-Key")))
        #expect(try sessionConfig(#"{"auth": {"api_key": "k1234", "header": "X-Token"}}"#).auth == .apiKey("k1234", .header("X-Token")))
        #expect(try sessionConfig(#"{"auth": {"api_key": "k1234", "query": "api_key"}}"#).auth == .apiKey("k1234", .query("api_key")))
        #expect(try sessionConfig(#"{"auth": {"bearer": "t1234"}}"#).auth == .bearer("t1234"))
        #expect(try sessionConfig(#"{"auth": {"basic": {"username": "u", "password": "p1234"}}}"#).auth == .basic(username: "u", password: "p1234"))
        let oauth = try sessionConfig(#"""
            {"auth": {"oauth2_client_credentials": {"token_url": "https://auth.io/token", "client_id": "id",
                      "client_secret": "s1234", "scopes": ["read", "write"], "audience": "api", "client_auth": "basic"}}}
            """#).auth
        #expect(oauth == .oauth2(OAuth2Config(tokenURL: "https://auth.io/token", clientID: "id", clientSecret: "s1234",
                                              scopes: ["read", "write"], audience: "api", clientAuthentication: .basic)))
    }

    @Test func sessionRegistersCredentialsForRedaction() throws {
        let runtime = HTTPRuntime(clock: ManualHTTPClock())
        _ = try HTTPSession(config: sessionConfig(#"{"auth": {"basic": {"username": "carol", "password": "pw-for-redaction-1"}}}"#),
                            runtime: runtime)
        #expect(Redactor.shared.redact("x pw-for-redaction-1 y") == "x *** y")
        let header = Data("carol:pw-for-redaction-1".utf8).base64EncodedString()
        #expect(Redactor.shared.redact("Authorization: Basic \(header)") == "Authorization: Basic ***")
    }
}

@Suite struct PaginatorConfigDecodingTests {
    @Test func eachStyle() throws {
        let cursor = try paginatorConfig(#"{"type": "cursor", "cursor_path": "meta.next", "limit": 50, "records_path": "data"}"#)
        #expect(cursor.style == .cursor && cursor.cursorParam == "cursor" && cursor.limit == 50 && cursor.recordsPath == "data")
        #expect(cursor.makeStateMachine().firstPage == .parameters([("limit", "50")]))
        let offset = try paginatorConfig(#"{"type": "offset", "limit": 20, "total_path": "total"}"#)
        #expect(offset.makeStateMachine().firstPage == .parameters([("offset", "0"), ("limit", "20")]))
        let page = try paginatorConfig(#"{"type": "page", "page_size_param": "per_page", "page_size": 5, "max_pages": 3}"#)
        #expect(page.makeStateMachine().firstPage == .parameters([("page", "1"), ("per_page", "5")]))
        #expect(page.maxPages == 3)
        #expect(try paginatorConfig(#"{"type": "next_url", "next_url_path": "links.next"}"#).style == .nextURL)
        #expect(try paginatorConfig(#"{"type": "link_header"}"#).style == .linkHeader)
    }

    @Test(arguments: [
        (#"{}"#, "type is required"),
        (#"{"type": "scroll"}"#, "unknown type \"scroll\""),
        (#"{"type": "cursor"}"#, "needs cursor_path"),
        (#"{"type": "next_url"}"#, "needs next_url_path"),
        (#"{"type": "page", "max_pages": 0}"#, "max_pages must be at least 1"),
        (#"{"type": "page", "page_size_param": "n"}"#, "page_size_param needs page_size"),
    ])
    func mistakes(_ json: String, _ message: String) {
        let error = #expect(throws: HTTPError.self) { try paginatorConfig(json) }
        #expect(error?.description.contains(message) == true, "\(error?.description ?? "no error")")
    }
}
