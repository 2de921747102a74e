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

    /// The request as the server received it, its header names lower-cased.
    public init(_ request: TestHTTPRequest) {
        method = request.method
        path = request.path
        query = request.query.map { MockHeader(name: $0.0, value: $0.1) }
        headers = request.headers.map { MockHeader(name: $0.0.lowercased(), value: $0.1) }
        body = request.body
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
}
