import Foundation

/// What a route answers: a status, header fields and a body, optionally after a delay; or a
/// dropped connection (closed without any response).
public struct TestHTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Seconds to wait before answering (for timeout tests).
    public var delay: Double = 0
    /// Close the connection instead of answering.
    public var dropsConnection = false

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
}
