import NIOCore
import NIOHTTP1

/// One connection's requests: reads each body (up to `max_body`: a larger announced one is
/// answered 413 and dropped as it comes, one that grows past it closes the connection), asks the route, and writes the answer when it comes, from whichever thread, on the
/// connection's event loop.
final class WebhookHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        case idle
        case reading(HTTPRequestHead, [UInt8])
        /// Answered already (404, 413...): the rest of the request is ignored.
        case skipping
    }

    private let route: WebhookRoute
    private var state = State.idle

    init(route: WebhookRoute) {
        self.route = route
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch (unwrapInboundIn(data), state) {
        case (.head(let head), _):
            let length = head.headers.first(name: "Content-Length").flatMap { Int($0) }
            if let reply = route.early(method: head.method.rawValue, path: head.uri, contentLength: length) {
                state = .skipping
                // The body that follows is read and dropped, so the connection stays usable.
                write(reply, version: head.version, keepAlive: head.isKeepAlive, context: context)
            } else {
                state = .reading(head, [])
            }
        case (.body(var chunk), .reading(let head, var body)):
            state = .skipping
            if body.count + chunk.readableBytes > route.config.maxBody {
                write(.rejected(413, "the body is larger than \(route.config.maxBody) bytes"), version: head.version, keepAlive: false, context: context)
                return
            }
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
            state = .reading(head, body)
        case (.end, .reading(let head, let body)):
            state = .idle
            let loop = context.eventLoop
            let bound = NIOLoopBound(context, eventLoop: loop)
            let handler = NIOLoopBound(self, eventLoop: loop)
            route.handle(body: body, header: { head.headers.first(name: $0) }) { reply in
                loop.execute { handler.value.write(reply, version: head.version, keepAlive: head.isKeepAlive, context: bound.value) }
            }
        case (.end, _):
            state = .idle
        case (.body, _):
            break
        }
    }

    private func write(_ reply: WebhookReply, version: HTTPVersion, keepAlive: Bool, context: ChannelHandlerContext) {
        let body = Array(reply.body.utf8)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.count))
        if let seconds = reply.retryAfter { headers.add(name: "Retry-After", value: String(seconds)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let close = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { close.value.close(promise: nil) }
        }
    }
}
