import Foundation
import LuaflowCore
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct RetryIntegrationTests {
    func session(_ server: TestHTTPServer, _ runtime: HTTPRuntime, _ extra: String = "") throws -> HTTPSession {
        try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"\#(extra)}"#), runtime: runtime)
    }

    @Test func retryAfterInSecondsIsHonoured() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            let response = try await session(server, runtime).execute(HTTPRequest(url: "/retry-after?tag=s&fail=2&seconds=3"))
            #expect(response.status == 200)
            #expect(response.attempts == 3)
            #expect(clock.sleeps == [3, 3])
            #expect(server.requests(path: "/retry-after").count == 3)
        }
    }

    @Test func retryAfterAsAnHTTPDateIsHonoured() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            let date = HTTPDate.format(clock.wallTime().addingTimeInterval(7))
            let response = try await session(server, runtime).execute(HTTPRequest(url: "/retry-after-date", query: [("tag", "d"), ("date", date)]))
            #expect(response.attempts == 2)
            #expect(clock.sleeps == [7])
        }
    }

    @Test func retryAfterIsCappedByMaxDelay() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            _ = try await session(server, runtime, #", "retry": {"max_delay": 10}"#)
                .execute(HTTPRequest(url: "/retry-after?tag=c&fail=1&seconds=3600&status=503"))
            #expect(clock.sleeps == [10])
        }
    }

    @Test func aBurstOf5xxIsRecoveredWithGrowingJitteredBackoff() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            let session = try session(server, runtime, #", "retry": {"base_delay": 0.5, "max_delay": 30}"#)
            let response = try await session.execute(HTTPRequest(url: "/flaky?tag=b&fail=3&status=502"))
            #expect(response.status == 200 && response.attempts == 4)
            #expect(clock.sleeps.count == 3)
            for (index, delay) in clock.sleeps.enumerated() { #expect(delay >= 0 && delay <= 0.5 * pow(2, Double(index))) }
            #expect(session.metrics.snapshot.retries == 3)
            #expect(session.metrics.snapshot.requests == 4)
            #expect(runtime.metrics.snapshot.retries == 3)
        }
    }

    @Test func exhaustedRetriesThrowAStatusErrorWithTheBody() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await session(server, runtime, #", "retry": {"max_attempts": 3}"#).execute(HTTPRequest(url: "/flaky?tag=x&fail=10"))
            }
            #expect(error?.kind == .status)
            #expect(error?.status == 503 && error?.attempts == 3)
            #expect(error?.description == "GET \(server.baseURL)/flaky?tag=x&fail=10 failed with status 503 after 3 attempts: upstream unavailable (attempt 3)")
            #expect(server.requests(path: "/flaky").count == 3)
        }
    }

    @Test func aDroppedConnectionIsRetried() async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime).execute(HTTPRequest(url: "/drop?tag=d&fail=2"))
            #expect(response.status == 200 && response.attempts == 3)
        }
    }

    @Test func postIsNotRetriedWithoutAnIdempotencyKey() async throws {
        try await withServer { server, runtime in
            let error = await httpError {
                _ = try await session(server, runtime).execute(HTTPRequest(method: "POST", url: "/idempotent-post", body: Array("{}".utf8)))
            }
            #expect(error?.status == 503 && error?.attempts == 1)
            #expect(error?.description.contains("not retried: POST is not idempotent") == true)
            #expect(server.requests(path: "/idempotent-post").count == 1)
        }
    }

    @Test func postWithAnIdempotencyKeyIsRetriedWithTheSameKey() async throws {
        try await withServer { server, runtime in
            var request = HTTPRequest(method: "POST", url: "/idempotent-post", headers: [("Idempotency-Key", "batch-7")])
            try request.setJSONBody(object: ["rows": [1, 2]])
            let response = try await session(server, runtime).execute(request)
            #expect(response.status == 201 && response.attempts == 2)
            let sent = server.requests(path: "/idempotent-post")
            #expect(sent.map { $0.header("Idempotency-Key") } == ["batch-7", "batch-7"])
            #expect(sent.allSatisfy { $0.bodyText == #"{"rows":[1,2]}"# && $0.header("Content-Type") == "application/json" })
        }
    }

    @Test func retryNonIdempotentOptsIn() async throws {
        try await withServer { server, runtime in
            let response = try await session(server, runtime, #", "retry": {"retry_non_idempotent": true}"#)
                .execute(HTTPRequest(method: "POST", url: "/idempotent-post"))
            #expect(response.status == 201 && response.attempts == 2)
        }
    }

    @Test func clientErrorsAreNotRetried() async throws {
        try await withServer { server, runtime in
            let error = await httpError { _ = try await session(server, runtime).execute(HTTPRequest(url: "/status?code=404&body=nope")) }
            #expect(error?.status == 404 && error?.attempts == 1)
        }
    }

    @Test func a429PausesOtherRequestsToTheSameHost() async throws {
        let clock = ManualHTTPClock()
        try await withServer(clock: clock) { server, runtime in
            let first = try session(server, runtime, #", "retry": {"max_attempts": 1}"#)
            let response = try await first.execute(HTTPRequest(url: "/retry-after?tag=p&fail=1&seconds=5"), raise: false)
            #expect(response.status == 429)
            #expect(clock.sleeps.isEmpty)
            let other = try session(server, runtime)
            _ = try await other.execute(HTTPRequest(url: "/echo"))
            #expect(clock.sleeps == [5])  // waited for the host's Retry-After before sending
            #expect(other.metrics.snapshot.rateLimitWaits == 1)
        }
    }

    @Test func aRefusedConnectionIsRetriedForAnyMethodThenReported() async throws {
        let clock = ManualHTTPClock()
        let closed = try TestHTTPServer.start(standardRoutes: false)
        let url = closed.baseURL + "/gone"
        await closed.stop()  // nothing listens on that port any more
        try await withServer(clock: clock) { _, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"retry": {"max_attempts": 3}}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(method: "POST", url: url)) }
            #expect(error?.kind == .connection)
            #expect(error?.attempts == 3)  // never reached the server, so even POST may be resent
            #expect(clock.sleeps.count == 2)
            #expect(error?.description.contains("could not connect") == true, "\(error?.description ?? "")")
        }
    }
}

