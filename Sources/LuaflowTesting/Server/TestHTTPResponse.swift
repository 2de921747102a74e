import Foundation

/// What a `LoopbackHTTPServer` answers: a status, header fields and a body, optionally after a
/// delay; or a dropped connection (closed without any response).
public struct TestHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before answering (for timeout tests).
    public var delay: Double = 0
    /// Close the connection instead of answering.
    public var dropsConnection = false
    /// Send the head (with the full Content-Length) and only this many body bytes, then close:
    /// a connection reset in the middle of the response.
    public var truncatedAfter: Int?
    /// Seconds between sending the head and the body (a slow body).
    public var bodyDelay: Double = 0
    /// A body sent piece by piece instead of `body` (an event stream).
    public var stream: TestHTTPStream?
    /// Accept a WebSocket upgrade and run this on it (the request must ask for one).
    public var webSocket: TestWebSocket?

    public init(status: Int = 200, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// `object` encoded by `JSONSerialization` (sorted keys), with `Content-Type: application/json`.
    public static func json(_ object: Any, status: Int = 200, headers: [(String, String)] = []) -> TestHTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data("null".utf8)
        return TestHTTPResponse(status: status, headers: [("Content-Type", "application/json")] + headers, body: [UInt8](data))
    }

    public static func text(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> TestHTTPResponse {
        TestHTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(text.utf8))
    }

    /// A `text/event-stream` response sending `chunks` as they come (see ``TestHTTPStream``).
    public static func eventStream(_ chunks: [String], interval: Double = 0, ending: TestHTTPStream.Ending = .hold) -> TestHTTPResponse {
        var response = TestHTTPResponse(headers: [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")])
        response.stream = TestHTTPStream(chunks: chunks.map { Array($0.utf8) }, interval: interval, ending: ending)
        return response
    }

    /// Accepts a WebSocket upgrade and runs `behaviour` on the connection.
    public static func webSocket(_ behaviour: TestWebSocket) -> TestHTTPResponse {
        var response = TestHTTPResponse(status: 101)
        response.webSocket = behaviour
        return response
    }

    /// Closes the connection without answering.
    public static var dropConnection: TestHTTPResponse {
        var response = TestHTTPResponse()
        response.dropsConnection = true
        return response
    }

    /// The same response, sent `seconds` later.
    public func delayed(by seconds: Double) -> TestHTTPResponse {
        var copy = self
        copy.delay = seconds
        return copy
    }

    /// The same response cut off after `bytes` bytes of its body, the connection closed.
    public func truncated(after bytes: Int) -> TestHTTPResponse {
        var copy = self
        copy.truncatedAfter = bytes
        return copy
    }

    /// The same response with its body sent `seconds` after its head.
    public func slowBody(_ seconds: Double) -> TestHTTPResponse {
        var copy = self
        copy.bodyDelay = seconds
        return copy
    }
}
