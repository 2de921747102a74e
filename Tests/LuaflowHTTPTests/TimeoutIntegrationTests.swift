import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// Network timeouts use real time (they guard sockets); backoff sleeps use the manual clock.
@Suite struct TimeoutIntegrationTests {
    @Test func readTimeoutIsReportedAfterRetries() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "timeout": {"read": 0.3}, "retry": {"max_attempts": 2}}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(url: "/slow?delay_ms=5000")) }
            // A timeout error (not the 5 s response) proves the timeout fired; wall time is not
            // measured, since other tests running in the process can delay the task's resumption.
            #expect(error?.kind == .timeout)
            #expect(error?.attempts == 2)
            #expect(error?.description.contains("read timeout (0.3 s) expired") == true)
            #expect(server.requests(path: "/slow").count == 2)
        }
    }

    @Test func totalTimeoutBoundsTheWholeExchange() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "timeout": 0.3, "retry": {"max_attempts": 1}}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(url: "/slow?delay_ms=5000")) }
            #expect(error?.kind == .timeout)
            #expect(error?.description.contains("total timeout (0.3 s) expired") == true)
        }
    }

    @Test func aPOSTThatTimedOutIsNotResent() async throws {
        try await withServer { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)", "timeout": {"read": 0.2}}"#), runtime: runtime)
            let error = await httpError { _ = try await session.execute(HTTPRequest(method: "POST", url: "/slow?delay_ms=3000")) }
            #expect(error?.kind == .timeout && error?.attempts == 1)
        }
    }

    @Test func cancellingBlockingCallsEndsThemPromptly() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            async let outcome: HTTPError? = onThread {
                do {
                    _ = try session.executeBlocking(HTTPRequest(url: "/slow?delay_ms=10000"))
                    return nil
                } catch {
                    return error as? HTTPError
                }
            }
            // Wait until the request reached the server, then cancel.
            for _ in 0..<200 where server.requests(path: "/slow").isEmpty { try await Task.sleep(nanoseconds: 10_000_000) }
            let start = DispatchTime.now().uptimeNanoseconds
            runtime.cancelBlockingCalls()
            let error = try await outcome
            #expect(error?.kind == .cancelled)
            #expect(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < 6) // without cancelling: 10 s
        }
    }
}
