import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct AuthIntegrationTests {
    typealias C = TestHTTPServer.Credentials

    func session(_ server: TestHTTPServer, _ runtime: HTTPRuntime, auth: String) throws -> HTTPSession {
        try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": \#(auth)}"#), runtime: runtime)
    }

    func oauth(_ server: TestHTTPServer, secret: String = C.clientSecret, extra: String = "") -> String {
        #"{"oauth2": {"token_url": "\#(server.baseURL)/oauth/token", "client_id": "\#(C.clientID)", "client_secret": "\#(secret)", "scopes": ["read", "write"]\#(extra)}}"#
    }

    @Test(arguments: [
        ("/auth/api-key-header", #"{"api_key": "\#(C.apiKey)"}"#),
        ("/auth/api-key-query", #"{"api_key": "\#(C.apiKey)", "query": "api_key"}"#),
        ("/auth/bearer", #"{"bearer": "\#(C.bearerToken)"}"#),
        ("/auth/basic", #"{"basic": {"username": "\#(C.username)", "password": "\#(C.password)"}}"#),
    ])
    func staticCredentialsAreAccepted(path: String, auth: String) async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime, auth: auth).execute(HTTPRequest(url: path))
            #expect(response.status == 200)
        }
    }

    @Test func aRejectedKeyFailsWithoutShowingIt() async throws {
        try await withServer { server, runtime in
            let wrong = "wrong-key-that-must-stay-hidden"
            let error = await httpError {
                _ = try await session(server, runtime, auth: #"{"api_key": "\#(wrong)", "query": "api_key"}"#).execute(HTTPRequest(url: "/auth/api-key-query"))
            }
            #expect(error?.status == 401 && error?.attempts == 1)
            #expect(error?.description.contains("api_key=***") == true)
            #expect(error?.description.contains(wrong) == false)
        }
    }

    @Test func oauth2FetchesOneTokenAndReusesIt() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime, auth: oauth(server))
            for _ in 0..<3 { #expect(try await session.execute(HTTPRequest(url: "/auth/oauth")).status == 200) }
            #expect(server.oauthTokensIssued == 1)
            let tokenRequest = try #require(server.requests(path: "/oauth/token").first)
            #expect(tokenRequest.method == "POST")
            #expect(tokenRequest.header("Content-Type") == "application/x-www-form-urlencoded")
            #expect(tokenRequest.formValue("grant_type") == "client_credentials")
            #expect(tokenRequest.formValue("scope") == "read write")
            #expect(server.requests(path: "/auth/oauth").allSatisfy { $0.header("Authorization") == "Bearer tok-1" })
        }
    }

    @Test func oauth2RenewsTheTokenOnceWhenTheAPISays401() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime, auth: oauth(server))
            _ = try await session.execute(HTTPRequest(url: "/auth/oauth"))
            server.revokeOAuthTokens()
            let response = try await session.execute(HTTPRequest(url: "/auth/oauth"))
            #expect(response.status == 200 && response.attempts == 2)
            #expect(server.oauthTokensIssued == 2)
            #expect(try object(response)["token"] as? String == "tok-2")
            #expect(session.metrics.snapshot.retries == 1)
        }
    }

    @Test func oauth2GivesUpAfterOneRenewal() async throws {
        try await withServer { server, runtime in
            server.route("/always-401") { _ in .json(["error": "nope"], status: 401) }
            let error = await httpError { _ = try await session(server, runtime, auth: oauth(server)).execute(HTTPRequest(url: "/always-401")) }
            #expect(error?.status == 401 && error?.attempts == 2)
            #expect(server.oauthTokensIssued == 2)
        }
    }

    @Test func oauth2RenewsSixtySecondsBeforeExpiry() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            server.oauthTokenLifetime = 120
            let session = try session(server, runtime, auth: oauth(server, extra: #", "client_auth": "basic""#))
            _ = try await session.execute(HTTPRequest(url: "/auth/oauth"))
            clock.advance(by: 59)
            _ = try await session.execute(HTTPRequest(url: "/auth/oauth"))
            #expect(server.oauthTokensIssued == 1)
            clock.advance(by: 2)
            _ = try await session.execute(HTTPRequest(url: "/auth/oauth"))
            #expect(server.oauthTokensIssued == 2)
            #expect(server.requests(path: "/auth/oauth").count == 3)  // renewed ahead of time, never rejected
            #expect(server.requests(path: "/oauth/token").allSatisfy { $0.header("Authorization")?.hasPrefix("Basic ") == true && $0.formValue("client_secret") == nil })
        }
    }

    @Test func concurrentRequestsShareOneTokenFetch() async throws {
        try await withServer { server, runtime in
            let session = try session(server, runtime, auth: oauth(server))
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<6 { group.addTask { try await session.execute(HTTPRequest(url: "/auth/oauth")).status } }
                for try await status in group { #expect(status == 200) }
            }
            #expect(server.oauthTokensIssued == 1)
        }
    }

    @Test func aRefusedTokenRequestIsAnAuthenticationErrorWithoutTheSecret() async throws {
        try await withServer { server, runtime in
            let secret = "wrong-client-secret-xyz"
            let error = await httpError { _ = try await session(server, runtime, auth: oauth(server, secret: secret)).execute(HTTPRequest(url: "/auth/oauth")) }
            #expect(error?.kind == .authentication)
            #expect(error?.status == 401)
            #expect(error?.description.contains("oauth2 token request was refused") == true)
            #expect(error?.description.contains(secret) == false)
            #expect(server.requests(path: "/auth/oauth").isEmpty)
        }
    }

    @Test func aFailingTokenEndpointIsRetriedLikeAnyRequest() async throws {
        try await withServer { server, runtime in
            server.route("/flaky-token") { request in
                server.hit("flaky-token") == 1 ? .text("busy", status: 503) : .json(["access_token": "tok-flaky", "expires_in": 3600])
            }
            server.route("/needs-flaky-token") { request in
                request.header("Authorization") == "Bearer tok-flaky" ? .json(["ok": true]) : .json(["error": "no"], status: 401)
            }
            let auth = #"{"oauth2": {"token_url": "\#(server.baseURL)/flaky-token", "client_id": "a", "client_secret": "flaky-secret-1"}}"#
            let response = try await session(server, runtime, auth: auth).execute(HTTPRequest(url: "/needs-flaky-token"))
            #expect(response.status == 200)
            #expect(server.requests(path: "/flaky-token").count == 2)
        }
    }

    @Test func aTokenEndpointRedirectIsNotFollowed() async throws {
        try await withOtherOriginServer { server, other, runtime in
            let auth = #"{"oauth2": {"token_url": "\#(server.baseURL)/redirect?status=307&to=\#(other.baseURL)/oauth/token", "client_id": "\#(C.clientID)", "client_secret": "\#(C.clientSecret)", "client_auth": "basic"}}"#
            let error = await httpError { _ = try await session(server, runtime, auth: auth).execute(HTTPRequest(url: "/auth/oauth")) }
            #expect(error?.kind == .authentication && error?.status == 307)
            #expect(other.requests.isEmpty)  // neither the Basic header nor the form reached the other origin
        }
    }
}

/// Runs `body` with two servers (two origins: same host, other port) and a runtime.
func withOtherOriginServer(_ body: (TestHTTPServer, TestHTTPServer, HTTPRuntime) async throws -> Void) async throws {
    let other = try TestHTTPServer.start()
    defer { other.stop() }
    try await withServer { server, runtime in try await body(server, other, runtime) }
}

