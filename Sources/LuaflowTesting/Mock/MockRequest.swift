import Foundation

/// A request the mock server received, as tests see it through `mock.requests()`.
public struct MockRequest: Sendable, Equatable {
    public var method: String
    /// The path without the query string.
    public var path: String
    /// Query parameters, percent-decoded, in order (a name may repeat).
    public var query: [MockHeader]
    /// Headers with lower-cased names, in order.
    public var headers: [MockHeader]
    public var body: [UInt8]

    /// Splits `uri` (`/users?limit=10`) into path and decoded query parameters.
    public init(method: String, uri: String, headers: [(String, String)], body: [UInt8]) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        query = parts.count > 1 ? Self.parameters(String(parts[1])) : []
        self.headers = headers.map { MockHeader(name: $0.0.lowercased(), value: $0.1) }
        self.body = body
    }

    /// The request as a JSON object: `query` and `headers` map names to values (a repeated query
    /// name maps to a list of its values, repeated headers are joined with ", "), `body` is text.
    public var jsonObject: [String: Any] {
        var queryObject: [String: Any] = [:]
        for (name, values) in Dictionary(grouping: query, by: \.name) {
            queryObject[name] = values.count == 1 ? values[0].value : values.map(\.value)
        }
        var headerObject: [String: String] = [:]
        for header in headers {
            headerObject[header.name] = headerObject[header.name].map { $0 + ", " + header.value } ?? header.value
        }
        return ["method": method, "path": path, "query": queryObject, "headers": headerObject,
                "body": String(decoding: body, as: UTF8.self)]
    }

    private static func parameters(_ text: String) -> [MockHeader] {
        text.split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return MockHeader(name: decode(kv[0]), value: kv.count > 1 ? decode(kv[1]) : "")
        }
    }
}
