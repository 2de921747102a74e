import LuaflowHTTP
import NIOCore
import NIOHTTP1

/// Serves `GET /metrics` in Prometheus text format on its own event loop thread (never on Swift's
/// cooperative pool): each scrape calls `render` there, which reads the run's counters.
public final class MetricsServer: Sendable {
    private let listener: HTTPListener
    /// The address the server listens on (the port the system picked when it was 0).
    public var port: Int { listener.port }

    /// Binds `host:port` and starts serving. Throws an ``HTTPListener/BindError`` when the address
    /// cannot be bound.
    public init(host: String, port: Int, render: @escaping @Sendable () -> [UInt8]) throws {
        listener = try HTTPListener(host: host, port: port, backlog: 64) { channel in
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
            try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
        }
    }

    /// The URL scrapes reach the server at.
    public var url: String {
        let host = listener.localAddress?.ipAddress.map { $0.contains(":") ? "[\($0)]" : $0 } ?? "localhost"
        return "http://\(host):\(port)/metrics"
    }

    /// Closes the listening socket and stops the thread. For synchronous callers only.
    public func syncShutdown() {
        listener.shutdown()
    }
}

/// Answers one connection's requests: the metrics for `GET /metrics`, 404 for other paths, 405
/// for other methods.
final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]

    init(render: @escaping @Sendable () -> [UInt8]) {
        self.render = render
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, body): (HTTPResponseStatus, [UInt8])
        switch (head.method, path) {
        case (.GET, "/metrics"): (status, body) = (.ok, render())
        case (_, "/metrics"): (status, body) = (.methodNotAllowed, Array("only GET\n".utf8))
        default: (status, body) = (.notFound, Array("luaflow serves /metrics\n".utf8))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let keepAlive = head.isKeepAlive
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [context = NIOLoopBound(context, eventLoop: context.eventLoop)] _ in
            if !keepAlive { context.value.close(promise: nil) }
        }
    }
}
