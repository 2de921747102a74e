/// One canned answer of the mock server: status, headers and body.
public struct MockResponse: Sendable, Equatable {
    public var status: Int
    /// Header name/value pairs, in order.
    public var headers: [MockHeader]
    public var body: [UInt8]

    public init(status: Int = 200, headers: [MockHeader] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// What the server sends. The server sets Content-Length and Connection itself, as for every
    /// mock answer, so a test file's headers cannot contradict the body or the connection.
    var served: TestHTTPResponse {
        let own: Set<String> = ["content-length", "connection"]
        return TestHTTPResponse(status: status, headers: headers.filter { !own.contains($0.name.lowercased()) }.map { ($0.name, $0.value) },
                                body: body)
    }

    /// The answer to a request no route matches: a 404 that names the method and path.
    static func unmatched(_ request: MockRequest) -> MockResponse {
        let method = request.method.lowercased()
        let call = ["get", "post", "put", "patch", "delete"].contains(method)
            ? "mock.\(method)(\"\(request.path)\", { ... })" : "mock.route(\"\(request.method)\", \"\(request.path)\", { ... })"
        let text = "no mock for \(request.method) \(request.path) (register one with \(call))"
        return MockResponse(status: 404, headers: [MockHeader(name: "Content-Type", value: "text/plain; charset=utf-8")],
                            body: Array(text.utf8))
    }
}
