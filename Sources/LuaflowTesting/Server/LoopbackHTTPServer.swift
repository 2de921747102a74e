import LuaflowCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server inside the process, on `127.0.0.1` and a port the system picks, that answers
/// every request with what `respond` returns: a whole response, a body sent piece by piece
/// (``TestHTTPStream``), or an accepted WebSocket (``TestWebSocket``). `luaflow test`'s mock serves its routes with it, and
/// so does the test suite's `TestHTTPServer`.
public final class LoopbackHTTPServer: Sendable {
    /// Turns a request into its answer. Runs on the server's event loop: keep it quick.
    public typealias Responder = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    public let port: Int
    private let channel: any Channel
    /// The event loop group the server made for itself (nil when it runs on the caller's).
    private let ownGroup: MultiThreadedEventLoopGroup?

    /// `http://127.0.0.1:<port>` (no trailing slash).
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on an event loop of `group`, or of a one-thread group of the server's own
    /// (shut down by `stop`) when `group` is nil.
    public init(group: (any EventLoopGroup)? = nil, respond: @escaping Responder) throws {
        let own = group == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let connections = Locked(0)
        let bootstrap = ServerBootstrap(group: group ?? own!)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let connection = connections.withLock { count in
                        count += 1
                        return count
                    }
                    let upgrade = LoopbackUpgrade(connection: connection, respond: respond)
                    let handler = LoopbackHTTPHandler(connection: connection, upgrade: upgrade, respond: respond)
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrade.upgrader], completionHandler: { context in
                            context.pipeline.removeHandler(name: "loopback-http", promise: nil)
                        }),
                        withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(handler, name: "loopback-http")
                }
            }
        do {
            channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait()
        } catch {
            try? own?.syncShutdownGracefully()
            throw error
        }
        port = channel.localAddress?.port ?? 0
        ownGroup = own
    }

    /// Stops listening (and, on the server's own group, closes every connection), blocking until
    /// done. Usable in `defer`, also in async tests: the shutdown runs on the server's event loop
    /// thread, never on the cooperative pool. Call it from a thread outside the server's group.
    public func stop() {
        try? channel.close().wait()
        try? ownGroup?.syncShutdownGracefully()
    }

    /// Stops listening (and, on the server's own group, closes every connection).
    public func stop() async {
        try? await channel.close()
        try? await ownGroup?.shutdownGracefully()
    }
}
