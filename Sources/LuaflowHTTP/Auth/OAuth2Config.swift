import Foundation

/// OAuth2 client-credentials grant (RFC 6749 §4.4): the session POSTs
/// `grant_type=client_credentials` form-encoded to `token_url`, caches the access token, renews
/// it 60 s before `expires_in` runs out and once more when an API answers 401.
public struct OAuth2Config: Decodable, Sendable, Equatable {
    /// How the client id and secret reach the token endpoint.
    public enum ClientAuthentication: String, Sendable, Equatable {
        /// `client_id` and `client_secret` as form fields (the default; what most APIs document).
        case body
        /// HTTP Basic with `client_id:client_secret` (RFC 6749's `client_secret_basic`).
        case basic
    }

    public var tokenURL: String
    public var clientID: String
    public var clientSecret: String
    public var scopes: [String]
    public var audience: String?
    public var clientAuthentication: ClientAuthentication

    public init(tokenURL: String, clientID: String, clientSecret: String, scopes: [String] = [], audience: String? = nil,
                clientAuthentication: ClientAuthentication = .body) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.audience = audience
        self.clientAuthentication = clientAuthentication
    }

    public init(from decoder: Decoder) throws {
        let section = "auth.oauth2"
        let c = try decoder.configContainer()
        func required(_ key: String) throws -> String {
            guard let value = try c.string(key, section), !value.isEmpty else {
                throw HTTPError.invalidConfig(section, "\(key) is required (is the secret empty or unset?)")
            }
            return value
        }
        let tokenURL = try required("token_url")
        guard URLBuilder.isAbsolute(tokenURL) else { throw HTTPError.invalidConfig(section, "token_url must be an absolute URL") }
        let authName = try c.string("client_auth", section) ?? ClientAuthentication.body.rawValue
        guard let clientAuth = ClientAuthentication(rawValue: authName) else {
            throw HTTPError.invalidConfig(section, "client_auth must be \"body\" or \"basic\"")
        }
        let scopes = try c.strings("scopes", section) ?? c.string("scope", section).map { $0.split(separator: " ").map(String.init) } ?? []
        self.init(tokenURL: tokenURL, clientID: try required("client_id"), clientSecret: try required("client_secret"),
                  scopes: scopes, audience: try c.string("audience", section), clientAuthentication: clientAuth)
    }

    /// `base64(client_id:client_secret)` for `client_auth = "basic"`.
    var basicCredentials: String {
        Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
    }

    /// The token request: a form-encoded POST.
    func tokenRequest() -> HTTPRequest {
        var fields = [("grant_type", "client_credentials")]
        if !scopes.isEmpty { fields.append(("scope", scopes.joined(separator: " "))) }
        if let audience { fields.append(("audience", audience)) }
        var request = HTTPRequest(method: "POST", url: tokenURL, headers: [("Accept", "application/json")])
        switch clientAuthentication {
        case .body:
            fields += [("client_id", clientID), ("client_secret", clientSecret)]
        case .basic:
            request.setHeader("Authorization", "Basic \(basicCredentials)")
        }
        request.setFormBody(fields)
        return request
    }
}
