import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on `127.0.0.1` and a port the system picks, answering from `routes`:
/// what a test file's `mock` talks to, so connectors go through their real `http` path.
public final class MockHTTPServer: Sendable {
    public let routes: MockRoutes
    public let port: Int
    private let channel: any Channel

    /// `http://127.0.0.1:<port>` (no trailing slash).
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on an event loop of `group`.
    public init(routes: MockRoutes, group: any EventLoopGroup) throws {
        self.routes = routes
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MockHTTPHandler(routes: routes))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    /// Stops listening, blocking until the socket is closed. Call from a thread outside the group.
    public func stop() {
        try? channel.close().wait()
    }
}
