import Foundation
import LuaflowCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Opens one WebSocket connection: TCP (and TLS for `wss://`, verified unless `insecure`), the
/// HTTP/1.1 upgrade with the given header fields, then a pipeline that joins fragments and ends
/// in a ``WebSocketFrameHandler``. A server that answers the upgrade with another status fails
/// it with an ``HTTPError`` of kind `status` holding the start of its body.
struct WebSocketConnector: Sendable {
    var insecure: Bool
    var timeouts: TimeoutConfig
    /// The most one message may hold, all its fragments together; also the largest frame.
    var maxMessageBytes: Int
    var pingInterval: Double?
    var pingTimeout: Double

    /// What the upgrade came to.
    private enum Upgrade: Sendable {
        case upgraded(Channel)
        case refused(Channel)
    }

    /// Connects to `url` (`ws://` or `wss://`; `http://` and `https://` stand for them), waiting
    /// until `deadline` at most. The channel's messages go to `inbox`; its end finishes the inbox.
    func connect(url: String, headers: [(String, String)], inbox: StreamInbox<WebSocketMessage>,
                 deadline: UInt64) throws -> Channel {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              ["ws", "wss", "http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            throw HTTPError(.invalidConfig, url: url, detail: "a WebSocket URL starts with ws:// or wss://")
        }
        let tls = scheme == "wss" || scheme == "https"
        let port = components.port ?? (tls ? 443 : 80)
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let query = components.percentEncodedQuery { target += "?" + query }
        var head = HTTPHeaders(headers)
        head.replaceOrAdd(name: "Host", value: components.port.map { "\(host):\($0)" } ?? host)
        let requestHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: target, headers: head)
        let sslContext: NIOSSLContext? = try tls ? {
            var configuration = TLSConfiguration.makeClientConfiguration()
            if insecure { configuration.certificateVerification = .none }
            return try NIOSSLContext(configuration: configuration)
        }() : nil
        let (maxBytes, pingInterval, pingTimeout) = (maxMessageBytes, self.pingInterval, self.pingTimeout)
        let seconds = max(0.001, Double(deadline - min(deadline, StreamDeadline.now)) / 1e9)
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(seconds * 1e9)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let hostname = host.first?.isNumber == true || host.contains(":") ? nil : host
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: sslContext, serverHostname: hostname))
                    }
                }
            }
        let answer = Locked<(status: Int, body: [UInt8])>((0, []))
        let upgrade: EventLoopFuture<Upgrade> = bootstrap.connect(host: host, port: port).flatMap { channel in
            channel.eventLoop.makeCompletedFuture {
                let peek = UpgradeAnswerPeek(answer: answer)
                let upgrader = NIOTypedWebSocketClientUpgrader<Upgrade>(
                    maxFrameSize: maxBytes,
                    // WebSocketFrameHandler answers protocol errors itself: NIO's handler may close
                    // the channel before the error reaches it, and the cause would be lost.
                    enableAutomaticErrorHandling: false) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        let handlers = channel.pipeline.syncOperations
                        try handlers.addHandler(NIOWebSocketFrameAggregator(minNonFinalFragmentSize: 0, maxAccumulatedFrameCount: 1 << 16,
                                                                            maxAccumulatedFrameSize: maxBytes))
                        try handlers.addHandler(WebSocketFrameHandler(inbox: inbox, maxMessageBytes: maxBytes,
                                                                      pingInterval: pingInterval, pingTimeout: pingTimeout))
                        return Upgrade.upgraded(channel)
                    }
                }
                let configuration = NIOTypedHTTPClientUpgradeConfiguration<Upgrade>(
                    upgradeRequestHead: requestHead, upgraders: [upgrader],
                    notUpgradingCompletionHandler: { channel in channel.eventLoop.makeSucceededFuture(Upgrade.refused(channel)) })
                var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: configuration)
                pipeline.leftOverBytesStrategy = .forwardBytes
                let negotiated = try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
                let upgradeHandler = try channel.pipeline.syncOperations.handler(type: NIOTypedHTTPClientUpgradeHandler<Upgrade>.self)
                try channel.pipeline.syncOperations.addHandler(peek, position: .before(upgradeHandler))
                return negotiated
            }.flatMap { $0 }
        }
        let outcome: Upgrade
        do {
            outcome = try upgrade.waitForValue(until: deadline, "the WebSocket handshake took longer than the connect and read timeouts")
        } catch let error as HTTPError {
            throw error.on(method: "GET", url: url)
        } catch {
            if let refusal = answer.withLock({ $0.status > 0 && $0.status != 101 ? $0 : nil }) {
                throw Self.refused(refusal, url: url)
            }
            let failure = TransportErrorClassifier.classify(error, timeouts: timeouts)
            throw HTTPError(failure.kind, method: "GET", url: url, attempts: 1, detail: failure.detail)
        }
        switch outcome {
        case .upgraded(let channel):
            return channel
        case .refused(let channel):
            // The answer's body arrives after its head; the server closes the connection after it.
            _ = try? channel.closeFuture.waitForValue(until: min(deadline, StreamDeadline.now + 1_000_000_000), "")
            channel.close(promise: nil)
            throw Self.refused(answer.withLock { $0 }, url: url)
        }
    }

    private static func refused(_ answer: (status: Int, body: [UInt8]), url: String) -> HTTPError {
        HTTPError(.status, method: "GET", url: url, status: answer.status, attempts: 1, body: answer.body,
                  detail: answer.status == 101 ? "the server did not accept the WebSocket key" : "the server did not switch to WebSocket")
    }
}

/// Sees the server's answer to the upgrade request on its way to the upgrade handler, so a
/// refusal (401, 404...) is reported with its status and the start of its body. Leaves the
/// pipeline when the server switches to WebSocket.
private final class UpgradeAnswerPeek: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPClientResponsePart
    typealias InboundOut = HTTPClientResponsePart

    private let answer: Locked<(status: Int, body: [UInt8])>

    init(answer: Locked<(status: Int, body: [UInt8])>) {
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            answer.withLock { $0.status = Int(head.status.code) }
            if head.status == .switchingProtocols {
                // What follows is the WebSocket's: leave before the upgrade hands it on as bytes.
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
        case .body(let buffer):
            answer.withLock { seen in
                if seen.body.count < HTTPError.maxExcerptBytes {
                    seen.body += buffer.readableBytesView.prefix(HTTPError.maxExcerptBytes - seen.body.count)
                }
            }
        case .end:
            break
        }
        context.fireChannelRead(data)
    }
}
