/// One canned answer of the mock server: status, headers and body; or an event stream; or a
/// WebSocket that sends its messages once connected.
public struct MockResponse: Sendable, Equatable {
    /// How a streamed answer ends once everything was sent.
    public enum Ending: String, Sendable {
        /// The connection stays open.
        case hold
        /// The response ends properly (a WebSocket: a close frame).
        case close
        /// The connection is cut (a lost connection).
        case drop
    }

    public var status: Int
    /// Header name/value pairs, in order.
    public var headers: [MockHeader]
    public var body: [UInt8]
    /// Server-Sent Events, each already in the event-stream format, sent as a streamed body.
    public var events: [String]?
    /// Messages a WebSocket sends once the upgrade is done.
    public var messages: [String]?
    public var ending: Ending

    public init(status: Int = 200, headers: [MockHeader] = [], body: [UInt8] = [], events: [String]? = nil,
                messages: [String]? = nil, ending: Ending = .hold) {
        self.status = status
        self.headers = headers
        self.body = body
        self.events = events
        self.messages = messages
        self.ending = ending
    }

    /// What the server sends. The server sets Content-Length and Connection itself, as for every
    /// mock answer, so a test file's headers cannot contradict the body or the connection. The
    /// text messages a WebSocket receives are logged in `routes` as requests of method `WS`.
    func served(for request: TestHTTPRequest, routes: MockRoutes) -> TestHTTPResponse {
        let own: Set<String> = ["content-length", "connection"]
        let fields = headers.filter { !own.contains($0.name.lowercased()) }.map { ($0.name, $0.value) }
        if let messages {
            let ending = self.ending
            return .webSocket(TestWebSocket(onOpen: { connection in
                for message in messages { connection.send(message) }
                switch ending {
                case .hold: break
                case .close: connection.close()
                case .drop: connection.drop(after: 0.05)
                }
            }, onText: { connection, text in
                routes.log(TestHTTPRequest(method: "WS", uri: connection.request.uri, headers: [], body: Array(text.utf8),
                                           arrivedAt: request.arrivedAt, connection: request.connection))
            }))
        }
        if let events {
            var response = TestHTTPResponse.eventStream(events, ending: [.hold: .hold, .close: .finish, .drop: .drop][ending]!)
            response.headers += fields.filter { $0.0.lowercased() != "content-type" }
            return response
        }
        return TestHTTPResponse(status: status, headers: fields, body: body)
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
