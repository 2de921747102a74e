import Foundation
import LuaflowCore
import NIOCore
import NIOWebSocket

/// The end of an upgraded connection's pipeline (after `NIOWebSocketFrameAggregator`): hands
/// text and binary messages to the inbox, answers pings, sends a ping every `pingInterval`
/// seconds and closes the connection when its pong is not back within `pingTimeout`. Stops
/// reading while the inbox is full. A frame or message over `maxMessageBytes` (refused by the
/// decoder or the aggregator) ends the connection with ``WebSocketMessageTooLarge``. Runs on the
/// channel's event loop only.
final class WebSocketFrameHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let inbox: StreamInbox<WebSocketMessage>
    private let maxMessageBytes: Int
    private let pingInterval: Double?
    private let pingTimeout: Double
    private var awaitingPong = false
    private var pingTask: Scheduled<Void>?
    private var failure: Error?

    init(inbox: StreamInbox<WebSocketMessage>, maxMessageBytes: Int, pingInterval: Double?, pingTimeout: Double) {
        self.inbox = inbox
        self.maxMessageBytes = maxMessageBytes
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        schedulePing(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text:
            deliver(.text(String(buffer: frame.unmaskedData)), context: context)
        case .binary:
            deliver(.binary(Array(frame.unmaskedData.readableBytesView)), context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            awaitingPong = false
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode()
            let reply = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(),
                                       data: context.channel.allocator.buffer(integer: UInt16(1000)))
            context.writeAndFlush(wrapOutboundOut(reply)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            if let code, code != .normalClosure, code != .goingAway {
                failure = HTTPError(.connection, detail: "the server closed the WebSocket (\(code))")
            }
        default:
            break
        }
    }

    private func deliver(_ message: WebSocketMessage, context: ChannelHandlerContext) {
        guard !inbox.offer(message) else { return }
        // Full: read nothing more until the node's thread takes a message.
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        let channel = context.channel
        inbox.whenSpace {
            channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            channel.read()
        }
    }

    private func schedulePing(context: ChannelHandlerContext) {
        guard let pingInterval, pingInterval > 0 else { return }
        pingTask = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(pingInterval * 1e9))) {
            guard context.channel.isActive else { return }
            self.awaitingPong = true
            let ping = WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: context.channel.allocator.buffer(string: "luaflow"))
            context.writeAndFlush(self.wrapOutboundOut(ping), promise: nil)
            self.pingTask = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(self.pingTimeout * 1e9))) {
                if self.awaitingPong {
                    let seconds = self.pingTimeout == self.pingTimeout.rounded() ? "\(Int(self.pingTimeout))" : "\(self.pingTimeout)"
                    self.failure = HTTPError(.timeout, detail: "no pong within \(seconds) s of a ping")
                    context.close(promise: nil)
                } else {
                    self.schedulePing(context: context)
                }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pingTask?.cancel()
        inbox.finish(failure)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let tooLarge = (error as? NIOWebSocketError) == .invalidFrameLength
            || (error as? NIOWebSocketFrameAggregator.Error) == .accumulatedFrameSizeIsTooLarge
        if tooLarge {
            failure = WebSocketMessageTooLarge(limit: maxMessageBytes)
        } else if failure == nil {
            failure = error
        }
        guard tooLarge || error is NIOWebSocketError || error is NIOWebSocketFrameAggregator.Error else {
            context.close(promise: nil)
            return
        }
        // A protocol error: tell the server why (1009 or 1002) before closing, as RFC 6455 asks.
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: tooLarge ? .messageTooLarge : .protocolError)
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        context.writeAndFlush(wrapOutboundOut(frame)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
