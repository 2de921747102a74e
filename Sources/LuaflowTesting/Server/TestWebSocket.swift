import NIOCore
import NIOWebSocket

/// What a `LoopbackHTTPServer` does with a WebSocket it accepted: `onOpen` once connected,
/// `onText` for each text message. Both run on the server's event loop: keep them quick.
public struct TestWebSocket: Sendable {
    public var onOpen: @Sendable (TestWebSocketConnection) -> Void
    public var onText: @Sendable (TestWebSocketConnection, String) -> Void
    /// Answer the client's pings (false: a server that stopped responding).
    public var answersPings: Bool

    public init(answersPings: Bool = true, onOpen: @escaping @Sendable (TestWebSocketConnection) -> Void = { _ in },
                onText: @escaping @Sendable (TestWebSocketConnection, String) -> Void = { _, _ in }) {
        self.answersPings = answersPings
        self.onOpen = onOpen
        self.onText = onText
    }
}

/// One accepted WebSocket: send messages (now or later), close it properly or drop it.
public final class TestWebSocketConnection: Sendable {
    let channel: any Channel
    /// The upgrade request (its path, query and headers).
    public let request: TestHTTPRequest

    init(channel: any Channel, request: TestHTTPRequest) {
        self.channel = channel
        self.request = request
    }

    /// Sends a text message `delay` seconds from now.
    public func send(_ text: String, after delay: Double = 0) {
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
            guard channel.isActive else { return }
            let frame = WebSocketFrame(fin: true, opcode: .text, data: channel.allocator.buffer(string: text))
            channel.writeAndFlush(frame, promise: nil)
        }
    }

    /// Sends a close frame `delay` seconds from now (after the messages scheduled before it).
    public func close(after delay: Double = 0) {
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) {
            guard channel.isActive else { return }
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, data: channel.allocator.buffer(integer: UInt16(1000)))
            channel.writeAndFlush(frame).whenComplete { _ in channel.close(promise: nil) }
        }
    }

    /// Closes the TCP connection without a close frame `delay` seconds from now (a lost connection).
    public func drop(after delay: Double = 0) {
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(delay * 1e9))) { channel.close(promise: nil) }
    }
}

/// The server end of an accepted WebSocket. Runs on the connection's event loop only.
final class TestWebSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let behaviour: TestWebSocket
    private let connection: TestWebSocketConnection

    init(behaviour: TestWebSocket, connection: TestWebSocketConnection) {
        self.behaviour = behaviour
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        behaviour.onOpen(connection)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            behaviour.onText(connection, String(buffer: frame.unmaskedData))
        case .ping:
            guard behaviour.answersPings else { return }
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, data: context.channel.allocator.buffer(integer: UInt16(1000)))
            context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
