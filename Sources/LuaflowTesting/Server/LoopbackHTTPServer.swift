import LuaflowCore
import LuaflowHTTP
import NIOCore
import NIOHTTP1

/// An HTTP/1.1 server inside the process, on `127.0.0.1` and a port the system picks, that answers
/// every request with what `respond` returns: a whole response, a body sent piece by piece
/// (``TestHTTPStream``), or an accepted WebSocket (``TestWebSocket``). `luaflow test`'s mock serves its routes with it, and
/// so does the test suite's `TestHTTPServer`.
public final class LoopbackHTTPServer: Sendable {
    /// Turns a request into its answer. Runs on the server's event loop: keep it quick.
    public typealias Responder = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    private let listener: HTTPListener
    public var port: Int { listener.port }

    /// `http://127.0.0.1:<port>` (no trailing slash).
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts listening on an event loop of `group`, or of a one-thread group of the server's own
    /// (shut down by `stop`) when `group` is nil.
    public init(group: (any EventLoopGroup)? = nil, respond: @escaping Responder) throws {
        let connections = Locked(0)
        listener = try HTTPListener(host: "127.0.0.1", port: 0, backlog: 256, group: group) { channel in
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

    /// Stops listening (and, on the server's own group, closes every connection), blocking until
    /// done. Usable in `defer`, also in async tests: the shutdown runs on the server's event loop
    /// thread, never on the cooperative pool. Call it from a thread outside the server's group.
    public func stop() {
        listener.shutdown()
    }

    /// Stops listening (and, on the server's own group, closes every connection).
    public func stop() async {
        await listener.shutdown()
    }
}
