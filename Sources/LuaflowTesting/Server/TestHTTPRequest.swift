import Foundation

/// A request as a `LoopbackHTTPServer` received it.
public struct TestHTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query string.
    public var uri: String
    /// The path without the query string.
    public var path: String
    /// Decoded query parameters in order.
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Monotonic arrival time in seconds (the same clock as `DispatchTime.now().uptimeNanoseconds`).
    public var arrivedAt: Double
    /// Requests on the same TCP connection share this number.
    public var connection: Int

    public init(method: String, uri: String, headers: [(String, String)], body: [UInt8], arrivedAt: Double, connection: Int) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.arrivedAt = arrivedAt
        self.connection = connection
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = String(parts.first ?? "")
        self.query = parts.count > 1 ? Self.decodeForm(String(parts[1])) : []
    }

    /// The first value of header `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        query.first { $0.0 == name }?.1
    }

    /// `queryValue` as an integer.
    public func queryInt(_ name: String) -> Int? {
        queryValue(name).flatMap { Int($0) }
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Fields of an `application/x-www-form-urlencoded` body.
    public var form: [(String, String)] { Self.decodeForm(bodyText) }

    public func formValue(_ name: String) -> String? {
        form.first { $0.0 == name }?.1
    }

    static func decodeForm(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            return (pair[0], pair.count > 1 ? pair[1] : "")
        }
    }
}
