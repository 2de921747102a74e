import Foundation
import LuaflowTesting

/// One route per auth mode, accepting only ``TestHTTPServer/Credentials`` (401 otherwise):
///
/// - `/auth/api-key-header` checks `X-API-Key`; `/auth/api-key-query` checks `api_key`
/// - `/auth/bearer` checks `Authorization: Bearer …`; `/auth/basic` checks HTTP Basic
/// - `/oauth/token` (POST, form-encoded client-credentials grant, client credentials in the form
///   or as Basic) issues `tok-N` tokens that expire after ``oauthTokenLifetime`` (`expires_in`);
///   `/auth/oauth` accepts only tokens issued and not revoked (``revokeOAuthTokens()``).
extension TestHTTPServer {
    /// The `expires_in` of tokens issued from now on (seconds; default 3600).
    public var oauthTokenLifetime: Int {
        get { state.withLock { $0.tokenLifetime } }
        set { state.withLock { $0.tokenLifetime = newValue } }
    }

    /// How many tokens `/oauth/token` has issued.
    public var oauthTokensIssued: Int {
        state.withLock { $0.tokensIssued }
    }

    /// Makes every token issued so far invalid, as if it had expired on the server.
    public func revokeOAuthTokens() {
        state.withLock { state in
            for token in state.issuedTokens.keys { state.issuedTokens[token] = false }
        }
    }

    func installAuthRoutes() {
        typealias C = Credentials
        @Sendable func check(_ ok: Bool) -> TestHTTPResponse {
            ok ? .json(["ok": true]) : .json(["error": "unauthorized"], status: 401, headers: [("WWW-Authenticate", "Bearer")])
        }
        route("/auth/api-key-header") { check($0.header("X-API-Key") == C.apiKey) }
        route("/auth/api-key-query") { check($0.queryValue("api_key") == C.apiKey) }
        route("/auth/bearer") { check($0.header("Authorization") == "Bearer \(C.bearerToken)") }
        route("/auth/basic") { request in
            let expected = "Basic " + Data("\(C.username):\(C.password)".utf8).base64EncodedString()
            return check(request.header("Authorization") == expected)
        }
        route("/oauth/token") { [self] request in
            guard request.method == "POST", request.formValue("grant_type") == "client_credentials" else {
                return .json(["error": "unsupported_grant_type"], status: 400)
            }
            var id = request.formValue("client_id"), secret = request.formValue("client_secret")
            if let basic = request.header("Authorization"), basic.hasPrefix("Basic "),
               let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }) {
                let parts = decoded.split(separator: ":", maxSplits: 1).map(String.init)
                id = parts.first
                secret = parts.count > 1 ? parts[1] : nil
            }
            guard id == C.clientID, secret == C.clientSecret else {
                return .json(["error": "invalid_client"], status: 401)
            }
            let (token, lifetime) = state.withLock { state -> (String, Int) in
                state.tokensIssued += 1
                let token = "tok-\(state.tokensIssued)"
                state.issuedTokens[token] = true
                return (token, state.tokenLifetime)
            }
            return .json(["access_token": token, "token_type": "bearer", "expires_in": lifetime])
        }
        route("/auth/oauth") { [self] request in
            let header = request.header("Authorization") ?? ""
            let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
            let valid = state.withLock { $0.issuedTokens[token] == true }
            return valid ? .json(["ok": true, "token": token]) : check(false)
        }
    }
}
