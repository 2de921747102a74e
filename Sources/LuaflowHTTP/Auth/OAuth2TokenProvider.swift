import LuaflowCore

/// Hands out the current OAuth2 access token of one session, fetching it on first use, renewing
/// it before it expires and when told it was rejected. Concurrent callers share one fetch.
actor OAuth2TokenProvider {
    typealias Fetch = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private let config: OAuth2Config
    private let clock: any HTTPClock
    private let fetch: Fetch
    private var current: OAuth2Token?
    private var pending: Task<OAuth2Token, Error>?

    /// - Parameter fetch: sends the token request (with the session's retries, without auth).
    init(config: OAuth2Config, clock: any HTTPClock, fetch: @escaping Fetch) {
        self.config = config
        self.clock = clock
        self.fetch = fetch
    }

    /// A token valid now.
    func token() async throws -> String {
        if let current, !current.needsRefresh(now: clock.now()) { return current.accessToken }
        let task: Task<OAuth2Token, Error>
        if let pending {
            task = pending
        } else {
            task = Task { [config, clock, fetch] in try await Self.requestToken(config, clock: clock, fetch: fetch) }
            pending = task
        }
        do {
            let token = try await task.value
            if pending == task { pending = nil; current = token }
            return token.accessToken
        } catch {
            if pending == task { pending = nil }
            throw error
        }
    }

    /// Forgets `token` after an API rejected it with 401, so the next ``token()`` fetches a new
    /// one. Ignored when the token was already replaced by a concurrent caller.
    func invalidate(_ token: String) {
        if current?.accessToken == token { current = nil }
    }

    private static func requestToken(_ config: OAuth2Config, clock: any HTTPClock, fetch: Fetch) async throws -> OAuth2Token {
        let request = config.tokenRequest()
        let started = clock.now()
        let response: HTTPResponse
        do {
            response = try await fetch(request)
        } catch var error as HTTPError {
            error.detail = "oauth2 token request: " + (error.detail ?? error.kind.name)
            if error.kind == .status { error.kind = .authentication }
            throw error
        }
        guard response.isSuccess else {
            throw HTTPError(.authentication, method: "POST", url: config.tokenURL, status: response.status,
                            attempts: response.attempts, body: response.body, detail: "oauth2 token request was refused")
        }
        guard let token = OAuth2Token.parse(response.body, obtainedAt: started) else {
            throw HTTPError(.authentication, method: "POST", url: config.tokenURL, status: response.status,
                            attempts: response.attempts, detail: "oauth2 token response has no access_token")
        }
        Redactor.shared.add(token.accessToken)
        return token
    }
}
