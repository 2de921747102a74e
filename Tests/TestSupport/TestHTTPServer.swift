import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server inside the test process, on `127.0.0.1` and a free port: a route table of
/// closures, a log of every request received, and (with `standardRoutes`) endpoints for every
/// pagination style, auth mode and failure the HTTP stack must handle. See
/// `TestHTTPServer+PaginationRoutes.swift`, `+AuthRoutes.swift` and `+FaultRoutes.swift`.
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

    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let routes = ServerLock<[String: Handler]>([:])
    private let log = ServerLock<[TestHTTPRequest]>([])
    let state = ServerLock(State())
    private let connections = ServerLock(0)

    /// `http://127.0.0.1:<port>`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server on `127.0.0.1`, on a port the system picks.
    /// - Parameter standardRoutes: install the routes of the HTTP stack's tests.
    public static func start(standardRoutes: Bool = true) throws -> TestHTTPServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let router = Router()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(TestHTTPHandler(router: router))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        let server = TestHTTPServer(group: group, channel: channel, port: channel.localAddress?.port ?? 0)
        router.server.withLock { $0 = server }
        if standardRoutes {
            server.installPaginationRoutes()
            server.installAuthRoutes()
            server.installFaultRoutes()
        }
        return server
    }

    private init(group: MultiThreadedEventLoopGroup, channel: any Channel, port: Int) {
        self.group = group
        self.channel = channel
        self.port = port
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
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Stops listening and closes every connection, blocking until done. Usable in `defer`, also
    /// in async tests: the shutdown runs on the server's own event loop thread, never on the
    /// cooperative pool, so waiting for it cannot deadlock.
    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
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

    func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        log.withLock { $0.append(request) }
        guard let handler = routes.withLock({ $0[request.path] }) else {
            return .json(["error": "no route for \(request.path)"], status: 404)
        }
        return handler(request)
    }

    func nextConnectionID() -> Int {
        connections.withLock { $0 += 1; return $0 }
    }
}

/// Lets channel handlers reach the server, which exists only after the socket is bound.
final class Router: Sendable {
    let server = ServerLock<TestHTTPServer?>(nil)

    func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        guard let server = server.withLock({ $0 }) else { return .text("starting", status: 503) }
        return server.handle(request)
    }

    func nextConnectionID() -> Int {
        server.withLock { $0 }?.nextConnectionID() ?? 0
    }
}
