import LuaflowHTTP
import Testing

@Suite struct OAuth2TokenTests {
    @Test func refreshesSixtySecondsBeforeExpiry() throws {
        let token = try #require(OAuth2Token.parse(Array(#"{"access_token": "abc", "expires_in": 3600}"#.utf8), obtainedAt: 100))
        #expect(token.accessToken == "abc")
        #expect(!token.needsRefresh(now: 100 + 3539))
        #expect(token.needsRefresh(now: 100 + 3540))
    }

    @Test func shortLivedTokensRefreshAtHalfTheirLifetime() throws {
        let token = try #require(OAuth2Token.parse(Array(#"{"access_token": "abc", "expires_in": "30"}"#.utf8), obtainedAt: 0))
        #expect(!token.needsRefresh(now: 14))
        #expect(token.needsRefresh(now: 15))
    }

    @Test func withoutExpiryTheTokenLastsUntilRejected() throws {
        let token = try #require(OAuth2Token.parse(Array(#"{"access_token": "abc"}"#.utf8), obtainedAt: 0))
        #expect(!token.needsRefresh(now: 1e9))
    }

    @Test(arguments: ["", "{}", #"{"access_token": ""}"#, #"{"error": "invalid_client"}"#, "[1]"])
    func unusableResponses(_ body: String) {
        #expect(OAuth2Token.parse(Array(body.utf8), obtainedAt: 0) == nil)
    }
}
