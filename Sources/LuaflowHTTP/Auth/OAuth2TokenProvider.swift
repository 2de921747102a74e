import LuaflowCore

/// Hands out the current OAuth2 access token of one session, fetching it on first use, renewing
/// it before it expires and when told it was rejected. Concurrent callers share one fetch: the
/// first fetches inside its own task, the others wait for it. (A lock and continuations rather
/// than an actor or a helper task, so the work stays on whatever executor the caller runs on.)
final class OAuth2TokenProvider: Sendable {
    typealias Fetch = @Sendable (HTTPRequest) async throws -> HTTPResponse

    private struct State {
        var current: OAuth2Token?
        var fetching = false
        var waiters: [CheckedContinuation<String, Error>] = []
        var lastError: HTTPError?
    }

    private let config: OAuth2Config
    private let clock: any HTTPClock
    private let fetch: Fetch
    private let state = Locked(State())

    /// - Parameter fetch: sends the token request (with the session's retries, without auth).
    init(config: OAuth2Config, clock: any HTTPClock, fetch: @escaping Fetch) {
        self.config = config
        self.clock = clock
        self.fetch = fetch
    }

    /// A token valid now.
    func token() async throws -> String {
        let now = clock.now()
        let (ready, fetcher) = state.withLock { state -> (String?, Bool) in
            if let token = state.current, !token.needsRefresh(now: now) { return (token.accessToken, false) }
            if state.fetching { return (nil, false) }
            state.fetching = true
            return (nil, true)
        }
        if let ready { return ready }
        if fetcher { return try await fetchAndPublish() }
        return try await withCheckedThrowingContinuation { continuation in
            let finished = state.withLock { state -> Result<String, Error>? in
                if state.fetching {
                    state.waiters.append(continuation)
                    return nil
                }
                // The fetch ended between the check above and now.
                if let token = state.current { return .success(token.accessToken) }
                return .failure(state.lastError ?? HTTPError(.authentication, detail: "oauth2 token unavailable"))
            }
            if let finished { continuation.resume(with: finished) }
        }
    }

    /// Forgets `token` after an API rejected it with 401, so the next ``token()`` fetches a new
    /// one. Ignored when the token was already replaced by a concurrent caller.
    func invalidate(_ token: String) {
        state.withLock { if $0.current?.accessToken == token { $0.current = nil } }
    }

    private func fetchAndPublish() async throws -> String {
        let result: Result<OAuth2Token, Error>
        do { result = .success(try await requestToken()) } catch { result = .failure(error) }
        let waiters = state.withLock { state in
            defer { state.waiters.removeAll() }
            state.fetching = false
            switch result {
            case .success(let token): state.current = token
            case .failure(let error): state.lastError = error as? HTTPError
            }
            return state.waiters
        }
        let outcome = result.map(\.accessToken)
        for waiter in waiters { waiter.resume(with: outcome) }
        return try outcome.get()
    }

    private func requestToken() async throws -> OAuth2Token {
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
