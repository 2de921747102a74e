import LuaflowCore

/// The mock server's routes and request log, shared by the server's event loop and the test's
/// Lua thread. A route is a sequence of responses served in order; its last one repeats.
public final class MockRoutes: Sendable {
    private struct Route {
        var responses: [MockResponse]
        var served = 0
    }

    private struct State {
        var routes: [String: Route] = [:]
        var log: [MockRequest] = []
    }

    private let state = Locked(State())

    public init() {}

    /// Appends `responses` to the sequence of `method` `path` (path without query string).
    public func add(method: String, path: String, responses: [MockResponse]) {
        state.withLock { state in
            state.routes[Self.key(method, path), default: Route(responses: [])].responses += responses
        }
    }

    /// What the mock server answers `request` (see ``respond(to:)``).
    public func serve(_ request: TestHTTPRequest) -> TestHTTPResponse {
        respond(to: MockRequest(request)).served(for: request, routes: self)
    }

    /// Adds `request` to the log without answering it (a message a mock WebSocket received).
    func log(_ request: TestHTTPRequest) {
        state.withLock { $0.log.append(MockRequest(request)) }
    }

    /// Logs `request` and returns its answer: the route's next response, or a 404 naming it.
    public func respond(to request: MockRequest) -> MockResponse {
        state.withLock { state in
            state.log.append(request)
            let key = Self.key(request.method, request.path)
            guard var route = state.routes[key], !route.responses.isEmpty else { return .unmatched(request) }
            let response = route.responses[min(route.served, route.responses.count - 1)]
            route.served += 1
            state.routes[key] = route
            return response
        }
    }

    /// The requests received, in arrival order: all of them, or those for `path`.
    public func requests(path: String? = nil) -> [MockRequest] {
        state.withLock { state in
            guard let path else { return state.log }
            return state.log.filter { $0.path == path }
        }
    }

    /// Forgets every route and request.
    public func reset() {
        state.withLock { $0 = State() }
    }

    private static func key(_ method: String, _ path: String) -> String {
        method.uppercased() + " " + path
    }
}
