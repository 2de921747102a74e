import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// The runtime's observer sees each request once, each attempt with its host and status, each
/// retry with its reason, the end with the final status; its headers go out on every attempt; and
/// the URL it gets is redacted.
@Suite struct HTTPObserverTests {
    final class Recorder: HTTPObserver, HTTPRequestObservation, @unchecked Sendable {
        private let lock = NSLock()
        private var log: [String] = []
        var events: [String] { lock.withLock { log } }
        let headers = [("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]

        private func note(_ line: String) { lock.withLock { log.append(line) } }
        func requestStarted(node: String?, method: String, url: String) -> any HTTPRequestObservation {
            note("start \(node ?? "-") \(method) \(url.contains("obs-key-93f1") ? "with the key" : "without the key")")
            return self
        }
        func rateLimited(host: String, seconds: Double) { note("rate-limited \(host)") }
        func attemptFinished(host: String, status: Int?, seconds: Double, bytes: Int) { note("attempt \(host) \(status.map(String.init) ?? "none")") }
        func retrying(host: String, attempt: Int, reason: String, delay: Double) { note("retry \(attempt) \(reason)") }
        func finished(status: Int?, attempts: Int, error: String?) { note("end \(status.map(String.init) ?? "none") \(attempts) \(error == nil ? "ok" : "failed")") }
    }

    @Test func theObserverFollowsRetriesAndItsHeadersGoOutOnEveryAttempt() async throws {
        let server = try TestHTTPServer.start()
        let recorder = Recorder()
        let runtime = HTTPRuntime(clock: ManualHTTPClock(), random: SeededGenerator(seed: 1), observer: recorder)
        defer { Task { try? await runtime.shutdown(); await server.stop() } }
        let config = try sessionConfig(#"{"base_url": "\#(server.baseURL)", "auth": {"api_key": "obs-key-93f1", "query": "api_key"}}"#)
        let session = try HTTPSession(config: config, runtime: runtime, node: "users")
        let response = try await session.execute(HTTPRequest(url: "/flaky?tag=o&fail=1&status=503"))
        #expect(response.status == 200)
        let host = "127.0.0.1:\(server.port)"
        #expect(recorder.events == [
            "start users GET without the key",
            "attempt \(host) 503", "retry 1 status 503", "attempt \(host) 200", "end 200 2 ok",
        ])
        let requests = server.requests(path: "/flaky")
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0.header("traceparent") == recorder.headers[0].1 })
    }
}
