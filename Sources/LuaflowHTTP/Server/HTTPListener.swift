#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// The listening socket of an HTTP/1.1 server in the process (`--metrics`, `source.webhook`, the
/// mock of `luaflow test`), on an event loop thread of its own, never on Swift's cooperative pool.
/// `configure` adds the server's handlers to each accepted connection's HTTP pipeline.
public final class HTTPListener: Sendable {
    /// The port listened on (the one the system picked for port 0).
    public let port: Int
    /// The listening channel's address.
    public let localAddress: SocketAddress?
    private let channel: any Channel
    /// The event loop group the listener made for itself (nil when it runs on the caller's).
    private let ownGroup: MultiThreadedEventLoopGroup?

    /// Binds `host:port` on `group`, or on a one-thread group of its own when `group` is nil;
    /// throws a ``BindError`` when the address cannot be bound. `configure` runs on the
    /// connection's event loop (`pipeline` has no HTTP handlers yet: it adds them).
    public init(host: String, port: Int, backlog: Int32, group: (any EventLoopGroup)? = nil,
                configure: @escaping @Sendable (any Channel) throws -> Void) throws {
        let own = group == nil ? MultiThreadedEventLoopGroup(numberOfThreads: 1) : nil
        let bootstrap = ServerBootstrap(group: group ?? own!)
            .serverChannelOption(.backlog, value: backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try configure(channel) }
            }
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? own?.syncShutdownGracefully()
            throw BindError(host: host, port: port, underlying: error)
        }
        ownGroup = own
        localAddress = channel.localAddress
        self.port = channel.localAddress?.port ?? port
    }

    /// Closes the listening socket: no new connection is accepted (open ones are still answered).
    /// Blocks: call it from a thread outside the listener's group.
    public func stopListening() {
        try? channel.close().wait()
    }

    /// Stops listening, lets the answers already queued go out, then stops the listener's own
    /// thread (open connections close with it). Blocks: call it from a thread outside the group.
    public func shutdown() {
        stopListening()
        guard let ownGroup else { return }
        try? ownGroup.next().submit {}.wait()
        try? ownGroup.syncShutdownGracefully()
    }

    /// ``shutdown()`` for async callers: waits without blocking a thread of the cooperative pool.
    public func shutdown() async {
        try? await channel.close()
        try? await ownGroup?.shutdownGracefully()
    }

    /// An address that cannot be listened on, with the reason in words.
    public struct BindError: Error, CustomStringConvertible {
        public let host: String
        public let port: Int
        let underlying: any Error

        /// `[::1]:9100`, `127.0.0.1:9100`.
        public var address: String { "\(host.contains(":") ? "[\(host)]" : host):\(port)" }

        /// Why, in words: `the port is already in use (...)`.
        public var reason: String {
            switch (underlying as? IOError)?.errnoCode {
            case EADDRINUSE: return "the port is already in use (another process listens on it; choose another port, or 0 for any free one)"
            case EADDRNOTAVAIL: return "the address is not one of this machine's"
            case EACCES: return "permission denied (ports below 1024 need privileges)"
            default:
                if let error = underlying as? IOError { return String(cString: strerror(error.errnoCode)) }
                if underlying is SocketAddressError || underlying is SocketAddressError.UnknownHost { return "the host name cannot be resolved" }
                return "\(underlying)"
            }
        }

        public var description: String { "cannot listen on \(address): \(reason)" }
    }
}
