import Foundation
import LuaflowCore
import TestSupport
import Testing
@testable import LuaflowHTTP

/// `WebSocketStream` against the test server's `/ws` routes: reconnects and subscribes again,
/// resumes from the cursor, treats a missing pong as a dead connection, sends credentials.
@Suite struct WebSocketStreamTests {
    static func receive(_ socket: WebSocketStream, count: Int) throws -> [String] {
        var messages: [String] = []
        let deadline = StreamDeadline.after(10)
        while messages.count < count {
            switch try socket.receive(until: deadline) {
            case .message(.text(let text)): messages.append(text)
            case .message(.binary): Issue.record("unexpected binary message")
            case .timedOut, .ended: return messages
            }
        }
        return messages
    }

    func socket(_ server: TestHTTPServer, _ path: String, _ settings: String = "{}", options: WebSocketStream.Options = .init(),
                cursor: String? = nil) throws -> WebSocketStream {
        let session = try HTTPSession(config: sessionConfig(settings), runtime: HTTPRuntime())
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "ws://") + path
        return WebSocketStream(session: session, request: HTTPRequest(url: url), options: options, cursor: cursor)
    }

    static func feed(_ n: Int) -> String { "{\"time_us\":\(n * 1000),\"n\":\(n)}" }

    @Test func reconnectsFromTheCursorAndSubscribesAgain() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        var options = WebSocketStream.Options()
        options.subscribe = [.text(#"{"op":"subscribe","topic":"feed"}"#)]
        options.cursor = .init(field: "time_us", param: "cursor")
        let ws = try socket(server, "/ws/feed?total=10&per_connection=4", options: options)
        let messages = try await onThread { try Self.receive(ws, count: 10) }
        #expect(messages == (1...10).map(Self.feed), "every message once, in order")
        #expect(server.requests(path: "/ws/feed").map { $0.queryValue("cursor") } == [nil, "4000", "8000"])
        // The feed does not wait for the subscription: the last one may reach the server after the last message left it.
        let subscribed = { server.hits(TestHTTPServer.webSocketMessageKey(#"{"op":"subscribe","topic":"feed"}"#)) }
        let deadline = Date().addingTimeInterval(5)
        while subscribed() < 3 && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(subscribed() == 3, "once per connection")
        #expect(ws.cursor == "10000")
        ws.close()
    }

    @Test func aRestartSendsTheCursorItWasGiven() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        var options = WebSocketStream.Options()
        options.cursor = .init(field: "time_us", param: "cursor")
        let ws = try socket(server, "/ws/feed?total=5", options: options, cursor: "3000")
        #expect(try await onThread { try Self.receive(ws, count: 2) } == [Self.feed(4), Self.feed(5)])
        ws.close()
    }

    @Test func aPingWithoutItsPongCountsAsALostConnection() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        var options = WebSocketStream.Options()
        options.ping = 0.1
        options.pingTimeout = 0.1
        let ws = try socket(server, "/ws/feed?total=1&pong=0", options: options)
        let outcome = try await onThread { () -> [String] in
            var messages = try Self.receive(ws, count: 1)
            // Nothing more comes, but the missing pong ends the connection: the stream connects again.
            if case .message(.text(let text)) = try ws.receive(until: StreamDeadline.after(1.5)) { messages.append(text) }
            return messages
        }
        #expect(outcome == [Self.feed(1), Self.feed(1)], "without a cursor the feed starts over on the new connection")
        #expect(ws.connections == 2)
        ws.close()
    }

    @Test func answeredPingsKeepTheConnection() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        var options = WebSocketStream.Options()
        options.ping = 0.1
        options.pingTimeout = 0.1
        let ws = try socket(server, "/ws/feed?total=1", options: options)
        let outcome = try await onThread { () -> Bool in
            _ = try Self.receive(ws, count: 1)
            if case .timedOut = try ws.receive(until: StreamDeadline.after(0.8)) { return true }
            return false
        }
        #expect(outcome)
        #expect(ws.connections == 1)
        ws.close()
    }

    @Test func credentialsGoWithTheUpgradeAndStayOutOfErrors() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let token = TestHTTPServer.Credentials.bearerToken
        let ws = try socket(server, "/ws/private?total=2", #"{"auth": {"bearer": "\#(token)"}}"#)
        #expect(try await onThread { try Self.receive(ws, count: 2) }.count == 2)
        #expect(server.requests(path: "/ws/private").first?.header("Authorization") == "Bearer \(token)")
        ws.close()

        var once = WebSocketStream.Options()
        once.maxReconnects = 0
        let refused = try socket(server, "/ws/private?api_key=query-secret-42", #"{"auth": {"bearer": "wrong-token-456"}}"#, options: once)
        let error = try await onThread { () -> HTTPError? in
            do { _ = try refused.receive(until: nil) } catch let error as HTTPError { return error }
            return nil
        }
        let text = error?.description ?? ""
        #expect(error != nil)
        #expect(!text.contains("wrong-token-456") && !text.contains("query-secret-42"), "\(text)")
    }

    @Test func sendsMessagesTheServerReceives() async throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let ws = try socket(server, "/ws/feed?total=0")
        try await onThread { try ws.send(.text("hello")) }
        let deadline = Date().addingTimeInterval(5)
        while server.hits(TestHTTPServer.webSocketMessageKey("hello")) == 0 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.hits(TestHTTPServer.webSocketMessageKey("hello")) == 1)
        ws.close()
    }
}
