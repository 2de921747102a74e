import LuaflowHTTP
import NIOCore
import NIOHTTP1

/// The webhook's HTTP server, on an event loop thread of its own (never Swift's cooperative pool):
/// it listens on the one configured address and hands each request to a `WebhookHTTPHandler`.
final class WebhookServer: Sendable {
    private let listener: HTTPListener
    /// The port listened on (the one the system picked when the config said 0).
    var port: Int { listener.port }

    /// Binds `host:port` and starts serving; throws an ``HTTPListener/BindError`` when the
    /// address cannot be bound.
    init(host: String, port: Int, route: WebhookRoute) throws {
        listener = try HTTPListener(host: host, port: port, backlog: 256) { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(WebhookHTTPHandler(route: route))
        }
    }

    /// Closes the listening socket: no new connection is accepted (open ones are still answered).
    func stopListening() {
        listener.stopListening()
    }

    /// Stops listening, lets the answers already queued go out, then stops the thread.
    func shutdown() {
        listener.shutdown()
    }
}
