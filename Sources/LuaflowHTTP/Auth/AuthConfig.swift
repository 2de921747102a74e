import Foundation

/// How a session proves who it is. Written in Lua as one of:
///
///     auth = { api_key = config.key }                        -- header X-API-Key
///     auth = { api_key = config.key, header = "X-Token" }
///     auth = { api_key = config.key, query = "api_key" }
///     auth = { bearer = config.token }
///     auth = { basic = { username = "u", password = config.password } }
///     auth = { oauth2 = { token_url = "...", client_id = "...", client_secret = config.secret,
///                         scopes = { "read" }, audience = "..." } }   -- or oauth2_client_credentials
public enum AuthConfig: Decodable, Sendable, Equatable {
    /// Where an API key goes.
    public enum KeyPlacement: Sendable, Equatable {
        case header(String)
        case query(String)
    }

    case apiKey(String, KeyPlacement)
    case bearer(String)
    case basic(username: String, password: String)
    case oauth2(OAuth2Config)

    public init(from decoder: Decoder) throws {
        let section = "auth"
        let c = try decoder.configContainer()
        let modes = ["api_key", "bearer", "basic", "oauth2", "oauth2_client_credentials"].filter(c.has)
        guard modes.count == 1, let mode = modes.first else {
            throw HTTPError.invalidConfig(section, modes.isEmpty
                ? "needs one of api_key, bearer, basic, oauth2 (is the secret empty or unset?)"
                : "has both \(modes.joined(separator: " and ")); choose one")
        }
        if mode != "api_key", c.has("header") || c.has("query") {
            throw HTTPError.invalidConfig(section, "header and query only apply to api_key")
        }
        switch mode {
        case "api_key":
            let key = try Self.secret(c.string("api_key", section), "api_key")
            let header = try c.string("header", section)
            let query = try c.string("query", section)
            if header != nil, query != nil { throw HTTPError.invalidConfig(section, "api_key goes in a header or a query parameter, not both") }
            if let query, !query.isEmpty { self = .apiKey(key, .query(query)) } else { self = .apiKey(key, .header(header ?? "X-API-Key")) }
        case "bearer":
            self = .bearer(try Self.secret(c.string("bearer", section), "bearer"))
        case "basic":
            let basic = try c.nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey("basic"))
            guard let username = try basic.string("username", "auth.basic"), !username.isEmpty else {
                throw HTTPError.invalidConfig("auth.basic", "username is required")
            }
            self = .basic(username: username, password: try basic.string("password", "auth.basic") ?? "")
        default:
            self = .oauth2(try c.decode(OAuth2Config.self, forKey: ConfigKey(mode)))
        }
    }

    private static func secret(_ value: String?, _ name: String) throws -> String {
        guard let value, !value.isEmpty else { throw HTTPError.invalidConfig("auth", "\(name) is empty") }
        return value
    }

    /// Values to hide everywhere the host prints (registered with `Redactor.shared` by the session).
    public var secrets: [String] {
        switch self {
        case .apiKey(let key, _): return [key]
        case .bearer(let token): return [token]
        case .basic(let user, let password):
            return [password, Data("\(user):\(password)".utf8).base64EncodedString()]
        case .oauth2(let config): return [config.clientSecret, config.basicCredentials]
        }
    }
}
