import NIOCore
import NIOHTTP1
import NIOPosix

/// The webhook's HTTP server, on an event loop thread of its own (never Swift's cooperative pool):
/// it listens on the one configured address and hands each request to a `WebhookHTTPHandler`.
final class WebhookServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    /// The port listened on (the one the system picked when the config said 0).
    let port: Int

    /// Binds `host:port` and starts serving; throws when the address cannot be bound.
    init(host: String, port: Int, route: WebhookRoute) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(WebhookHTTPHandler(route: route))
                }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        self.port = channel.localAddress?.port ?? port
    }

    /// Closes the listening socket: no new connection is accepted (open ones are still answered).
    func stopListening() {
        try? channel.close().wait()
    }

    /// Stops listening, lets the answers already queued go out, then stops the thread.
    func shutdown() {
        stopListening()
        try? group.next().submit {}.wait()
        try? group.syncShutdownGracefully()
    }
}
