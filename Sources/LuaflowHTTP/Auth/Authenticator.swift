import Foundation

/// Applies a session's ``AuthConfig`` to outgoing requests and knows the query parameter that
/// carries an API key, so URLs that leave the origin can drop it.
final class Authenticator: Sendable {
    /// The credential for one request.
    struct Credential: Sendable {
        var header: (name: String, value: String)?
        var query: (name: String, value: String)?
        /// The OAuth2 access token used, to invalidate it on a 401.
        var oauthToken: String?
    }

    private enum Mode: Sendable {
        case none
        case fixed(Credential)
        case oauth2(OAuth2TokenProvider)
    }

    private let mode: Mode

    /// Query parameter carrying the API key, removed from URLs that leave the origin and from
    /// page tokens kept in state.
    let queryParameter: String?

    init(_ config: AuthConfig?, clock: any HTTPClock, fetchToken: @escaping OAuth2TokenProvider.Fetch) {
        var query: String?
        switch config {
        case nil:
            mode = .none
        case .apiKey(let key, .header(let name)):
            mode = .fixed(Credential(header: (name, key)))
        case .apiKey(let key, .query(let name)):
            query = name
            mode = .fixed(Credential(query: (name, key)))
        case .bearer(let token):
            mode = .fixed(Credential(header: ("Authorization", "Bearer \(token)")))
        case .basic(let user, let password):
            let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
            mode = .fixed(Credential(header: ("Authorization", "Basic \(encoded)")))
        case .oauth2(let oauth):
            mode = .oauth2(OAuth2TokenProvider(config: oauth, clock: clock, fetch: fetchToken))
        }
        queryParameter = query
    }

    /// Whether a 401 should renew the credential and try once more.
    var renewsOnUnauthorized: Bool {
        if case .oauth2 = mode { return true }
        return false
    }

    /// The credential to attach now (fetching an OAuth2 token when needed).
    func credential() async throws -> Credential {
        switch mode {
        case .none: return Credential()
        case .fixed(let credential): return credential
        case .oauth2(let provider):
            let token = try await provider.token()
            return Credential(header: ("Authorization", "Bearer \(token)"), oauthToken: token)
        }
    }

    /// Drops an OAuth2 token the server rejected.
    func invalidate(_ credential: Credential) async {
        if case .oauth2(let provider) = mode, let token = credential.oauthToken {
            provider.invalidate(token)
        }
    }
}
