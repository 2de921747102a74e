import Foundation
import NIOCore
import NIOHTTP1

/// Reads whole requests from one connection of a `LoopbackHTTPServer` and writes its answer
/// (after its delay, or by closing the connection). Runs on the connection's event loop only.
final class LoopbackHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let respond: LoopbackHTTPServer.Responder
    private let connectionID: Int
    private let upgrade: LoopbackUpgrade
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(connection: Int, upgrade: LoopbackUpgrade, respond: @escaping LoopbackHTTPServer.Responder) {
        connectionID = connection
        self.upgrade = upgrade
        self.respond = respond
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            self.head = nil
            let request = TestHTTPRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                                          body: body, arrivedAt: Double(DispatchTime.now().uptimeNanoseconds) / 1e9,
                                          connection: connectionID)
            // A request that asked for a WebSocket was answered when the upgrade was considered.
            let response = upgrade.takeRefusedAnswer() ?? respond(request)
            if response.delay > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(response.delay * 1e9))) {
                    self.write(response, for: head, context: context)
                }
            } else {
                write(response, for: head, context: context)
            }
        }
    }

    private func write(_ response: TestHTTPResponse, for request: HTTPRequestHead, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        if response.dropsConnection {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders(response.headers)
        if !headers.contains(name: "Content-Length") && response.stream == nil {
            headers.add(name: "Content-Length", value: String(response.body.count))
        }
        let keepAlive = request.isKeepAlive && !headers[canonicalForm: "Connection"].contains("close")
        headers.replaceOrAdd(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
        if let cut = response.truncatedAfter {
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body.prefix(cut)))))).assumeIsolated()
                .whenComplete { _ in context.close(promise: nil) }
            return
        }
        if let stream = response.stream {
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            send(stream, from: 0, context: context)
            return
        }
        if response.bodyDelay > 0 {
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            var rest = response
            rest.bodyDelay = 0
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(response.bodyDelay * 1e9))) {
                guard context.channel.isActive else { return }
                self.finish(rest, for: request, keepAlive: keepAlive, context: context)
            }
            return
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        finish(response, for: request, keepAlive: keepAlive, context: context)
    }

    /// Writes chunk `index` of a streamed body and schedules the next.
    private func send(_ stream: TestHTTPStream, from index: Int, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        guard index < stream.chunks.count else {
            switch stream.ending {
            case .finish: context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            case .drop: context.close(promise: nil)
            case .hold: break
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: stream.chunks[index])))), promise: nil)
        let delay = index + 1 < stream.chunks.count ? stream.interval : 0
        if delay > 0 {
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
                self.send(stream, from: index + 1, context: context)
            }
        } else {
            send(stream, from: index + 1, context: context)
        }
    }

    /// Writes the body and the end of a response whose head was written.
    private func finish(_ response: TestHTTPResponse, for request: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        if request.method != .HEAD, !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
