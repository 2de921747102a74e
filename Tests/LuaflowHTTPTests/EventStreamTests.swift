import Foundation
import LuaflowCore
import TestSupport
import Testing
@testable import LuaflowHTTP

/// `SSEStream` against the test server's `/sse` routes: reconnects with `Last-Event-ID` after
/// lost connections, a 204 ends it, credentials go with every connect, refusals fail at once.
@Suite struct EventStreamTests {
    /// Reads events until `count` arrived or the stream ended.
    static func read(_ stream: SSEStream, count: Int) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        let deadline = StreamDeadline.after(10)
        while events.count < count {
            switch try stream.next(until: deadline) {
            case .event(let event): events.append(event)
            case .timedOut, .ended: return events
            }
        }
        return events
    }

    func stream(_ server: TestHTTPServer, _ path: String, _ settings: String = "{}", lastEventID: String? = nil) throws -> SSEStream {
        let session = try HTTPSession(config: sessionConfig(settings), runtime: HTTPRuntime())
        return SSEStream(session: session, request: HTTPRequest(url: server.baseURL + path), lastEventID: lastEventID)
    }

    @Test func lostConnectionsResumeFromTheLastEventID() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let sse = try stream(server, "/sse/feed?total=10&per_connection=4")
        let events = try await onThread { try Self.read(sse, count: 10) }
        #expect(events.map(\.id) == (1...10).map { String($0) }, "every event once, in order")
        #expect(events[2] == SSEEvent(event: "tick", id: "3", data: "{\"n\":3,\n\"tick\":true}", retry: nil))
        // The server drops each connection after 4 events; a drop racing the 4th event costs one
        // more reconnect, so what is checked is that each reconnect names the last event received.
        let sent = server.requests(path: "/sse/feed").map { $0.header("Last-Event-ID") }
        let resumedFrom = sent.dropFirst().compactMap { $0.flatMap { Int($0) } }
        #expect(sent.first == .some(nil) && sent.count >= 3 && resumedFrom.count == sent.count - 1, "\(sent)")
        #expect(resumedFrom == resumedFrom.sorted() && resumedFrom.allSatisfy { (1...9).contains($0) }, "\(sent)")
        #expect(server.requests(path: "/sse/feed").allSatisfy { $0.header("Accept") == "text/event-stream" })
        #expect(sse.lastEventID == "10")
    }

    @Test func aRestartSendsTheIDItWasGiven() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let sse = try stream(server, "/sse/feed?total=10", lastEventID: "7")
        let events = try await onThread { try Self.read(sse, count: 3) }
        #expect(events.map(\.id) == ["8", "9", "10"])
        #expect(server.requests(path: "/sse/feed").first?.header("Last-Event-ID") == "7")
    }

    @Test func a204EndsTheStreamForGood() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let sse = try stream(server, "/sse/feed?total=2&end=done")
        let events = try await onThread { () -> [SSEEvent] in
            let events = try Self.read(sse, count: 3)
            if case .ended = try sse.next(until: nil) {} else { Issue.record("the stream should stay ended") }
            return events
        }
        #expect(events.map(\.id) == ["1", "2"])
        #expect(server.requests(path: "/sse/feed").map { $0.header("Last-Event-ID") } == [nil, "2"])
    }

    @Test func credentialsGoWithEveryConnectAndARefusalFailsAtOnce() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let token = TestHTTPServer.Credentials.bearerToken
        let sse = try stream(server, "/sse/private?total=4&per_connection=2", #"{"auth": {"bearer": "\#(token)"}}"#)
        #expect(try await onThread { try Self.read(sse, count: 4) }.count == 4)
        let connects = server.requests(path: "/sse/private").map { $0.header("Authorization") }
        #expect(connects.count >= 2 && connects.allSatisfy { $0 == "Bearer \(token)" }, "\(connects)")

        let refused = try stream(server, "/sse/private", #"{"auth": {"bearer": "wrong-token-123"}}"#)
        let error = try await onThread { () -> HTTPError? in
            do { _ = try refused.next(until: nil) } catch let error as HTTPError { return error }
            return nil
        }
        #expect(error?.status == 401)
        #expect(error?.errorClass == .auth)
        #expect(error?.description.contains("wrong-token-123") == false)
        #expect(server.requests(path: "/sse/private").count == connects.count + 1, "no reconnect after a 401")
    }

    @Test func nothingArrivingByTheDeadlineIsATimeoutNotAnEnd() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let sse = try stream(server, "/sse/feed?total=1")
        let outcome = try await onThread { () -> (Int, Bool) in
            let events = try Self.read(sse, count: 1)
            if case .timedOut = try sse.next(until: StreamDeadline.after(0.3)) { return (events.count, true) }
            return (events.count, false)
        }
        #expect(outcome == (1, true))
    }
}
