import Foundation
import LuaflowCore
import LuaflowTesting

/// An HTTP/1.1 server inside the test process, on `127.0.0.1` and a free port (a
/// `LoopbackHTTPServer`, as `luaflow test`'s mock): a route table of closures, a log of every
/// request received, and (with `standardRoutes`) endpoints for every pagination style, auth mode
/// and failure the HTTP stack must handle. See
/// `TestHTTPServer+PaginationRoutes.swift`, `+AuthRoutes.swift`, `+FaultRoutes.swift` and
/// `+StreamRoutes.swift` (Server-Sent Events and WebSockets).
///
///     let server = try TestHTTPServer.start()
///     server.route("/hello") { _ in .json(["hello": "world"]) }
///     ... requests to server.baseURL + "/hello" ...
///     #expect(server.requests(path: "/hello").count == 1)
///     await server.stop()
public final class TestHTTPServer: Sendable {
    public typealias Handler = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    /// Credentials the auth routes accept.
    public enum Credentials {
        public static let apiKey = "test-api-key-5f1c2d"
        public static let bearerToken = "test-bearer-token-9a8b7c"
        public static let username = "alice"
        public static let password = "test-password-3e4f"
        public static let clientID = "luaflow-client"
        public static let clientSecret = "test-client-secret-7d6e"
    }

    /// Mutable state of the standard routes.
    struct State {
        var counters: [String: Int] = [:]
        var issuedTokens: [String: Bool] = [:]  // token -> still valid
        var tokenLifetime = 3600
        var tokensIssued = 0
    }

    private let server: LoopbackHTTPServer
    private let routes: Locked<[String: Handler]>
    private let log: Locked<[TestHTTPRequest]>
    let state = Locked(State())

    public var port: Int { server.port }

    /// `http://127.0.0.1:<port>`
    public var baseURL: String { server.baseURL }

    /// Starts a server on `127.0.0.1`, on a port the system picks.
    /// - Parameter standardRoutes: install the routes of the HTTP stack's tests.
    public static func start(standardRoutes: Bool = true) throws -> TestHTTPServer {
        let routes = Locked<[String: Handler]>([:])
        let log = Locked<[TestHTTPRequest]>([])
        let server = TestHTTPServer(routes: routes, log: log, server: try LoopbackHTTPServer { request in
            log.withLock { $0.append(request) }
            guard let handler = routes.withLock({ $0[request.path] }) else {
                return .json(["error": "no route for \(request.path)"], status: 404)
            }
            return handler(request)
        })
        if standardRoutes {
            server.installPaginationRoutes()
            server.installAuthRoutes()
            server.installFaultRoutes()
            server.installStreamRoutes()
        }
        return server
    }

    private init(routes: Locked<[String: Handler]>, log: Locked<[TestHTTPRequest]>, server: LoopbackHTTPServer) {
        self.routes = routes
        self.log = log
        self.server = server
    }

    /// Answers requests to `path` (exact match, without the query string) with `handler`,
    /// replacing any route already there. The handler runs on the server's event loop: keep it quick.
    public func route(_ path: String, _ handler: @escaping Handler) {
        routes.withLock { $0[path] = handler }
    }

    /// Every request received so far, in arrival order.
    public var requests: [TestHTTPRequest] {
        log.withLock { $0 }
    }

    /// The requests received for `path`.
    public func requests(path: String) -> [TestHTTPRequest] {
        log.withLock { $0.filter { $0.path == path } }
    }

    public func clearLog() {
        log.withLock { $0.removeAll() }
    }

    /// Stops listening and closes every connection.
    public func stop() async {
        await server.stop()
    }

    /// Stops listening and closes every connection, blocking until done. Usable in `defer`, also
    /// in async tests (see `LoopbackHTTPServer.stop()`).
    public func stop() {
        server.stop()
    }

    /// Counts a hit on `key` and returns the new count (1 for the first).
    @discardableResult
    public func hit(_ key: String) -> Int {
        state.withLock { state in
            state.counters[key, default: 0] += 1
            return state.counters[key]!
        }
    }

    /// How many hits `key` has had.
    public func hits(_ key: String) -> Int {
        state.withLock { $0.counters[key] ?? 0 }
    }
}
