import Foundation
import LuaflowCore
import Logging
import NIOCore
import NIOWebSocket

/// A WebSocket subscription read by one thread (a node's): connects (sending the session's
/// headers and credentials with the upgrade), sends the `subscribe` messages, and when the
/// connection drops (a lost connection, a close frame, a ping without its pong) connects again
/// with backoff and sends them again. With a `cursor`, the value of `cursor.field` in the last
/// JSON message received goes into the URL's `cursor.param` on every connect, as Bluesky's
/// Jetstream expects, so the server replays what was missed.
final class WebSocketStream: @unchecked Sendable {
    /// Where a server keeps the stream's position: a field of each message, sent back as a
    /// query parameter on connect.
    struct Cursor: Sendable {
        var field: String
        var param: String
    }

    struct Options: Sendable {
        var subscribe: [WebSocketMessage] = []
        var cursor: Cursor?
        /// Seconds between pings (nil or 0: none).
        var ping: Double? = 20
        /// Seconds a pong may take before the connection counts as dead.
        var pingTimeout: Double = 10
        /// Connect again after the connection ended (false: the stream ends).
        var reconnect = true
        var maxReconnects = 10
        /// The most one message may hold, all its fragments together (`max_message_bytes`); a
        /// larger one fails the stream.
        var maxMessageBytes = Options.defaultMaxMessageBytes
        static let defaultMaxMessageBytes = 16 << 20
    }

    enum Next {
        case message(WebSocketMessage)
        case timedOut
        /// The connection ended and `reconnect` is off, or ``close()`` was called.
        case ended
    }

    let session: HTTPSession
    private let request: HTTPRequest
    private let options: Options
    private let logger: Logger
    private var backoff = ReconnectBackoff()
    private var inbox: StreamInbox<WebSocketMessage>?
    private var channel: Channel?
    private var reconnectAt: UInt64?
    private var finished = false
    /// The cursor's value (as sent in the URL) after the last message received.
    private(set) var cursor: String?
    /// Connections made (the first one included).
    private(set) var connections = 0

    init(session: HTTPSession, request: HTTPRequest, options: Options, cursor: String?) {
        self.session = session
        self.request = request
        self.options = options
        self.cursor = cursor
        self.logger = session.logger
    }

    deinit { close() }

    /// The next message, waiting until `deadline` (uptime nanoseconds; nil: as long as it takes).
    func receive(until deadline: UInt64?) throws -> Next {
        while true {
            if finished { return .ended }
            if inbox == nil {
                if let reconnectAt {
                    guard try StreamDeadline.sleep(until: reconnectAt, deadline: deadline) else { return .timedOut }
                    self.reconnectAt = nil
                }
                do { try connect() } catch {
                    try connectionEnded(error)
                    continue
                }
            }
            switch try inbox!.take(until: deadline) {
            case .item(let message):
                backoff.succeeded()
                if let field = options.cursor?.field, case .text(let text) = message, let value = Self.value(of: field, in: text) {
                    cursor = value
                }
                return .message(message)
            case .timedOut:
                return .timedOut
            case .ended(let error):
                try connectionEnded(error)
            }
        }
    }

    /// Sends `message`, connecting first when the connection is down.
    func send(_ message: WebSocketMessage) throws {
        if channel == nil {
            guard !finished else { throw HTTPError(.connection, detail: "the WebSocket is closed") }
            reconnectAt = nil
            try connect()
        }
        try write(message)
    }

    /// Connects now unless connected (a script's `session:websocket` fails at once when the
    /// server refuses).
    func open() throws {
        guard channel == nil, !finished else { return }
        reconnectAt = nil
        do { try connect() } catch { try connectionEnded(error) }
    }

    /// Closes the connection (with a close frame) and ends the stream.
    func close() {
        finished = true
        disconnect()
    }

    private func disconnect() {
        inbox?.close()
        if let channel {
            let bye = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(),
                                     data: channel.allocator.buffer(integer: UInt16(1000)))
            channel.writeAndFlush(bye).whenComplete { _ in channel.close(promise: nil) }
        }
        inbox = nil
        channel = nil
    }

    private func connect() throws {
        connections += 1
        var request = self.request
        if let param = options.cursor?.param, let cursor { request.query.removeAll { $0.0 == param }; request.query.append((param, cursor)) }
        let session = self.session
        let prepared = request
        let target = try session.runtime.runBlocking { try await session.streamingTarget(prepared) }
        let inbox = StreamInbox<WebSocketMessage>()
        let connector = WebSocketConnector(insecure: session.config.insecure, timeouts: session.config.timeout,
                                           maxMessageBytes: options.maxMessageBytes, pingInterval: options.ping,
                                           pingTimeout: options.pingTimeout)
        let timeout = session.config.timeout
        session.metrics.record { $0.requests += 1 }
        channel = try connector.connect(url: target.url, headers: target.headers, inbox: inbox,
                                        deadline: StreamDeadline.now + UInt64((timeout.connect + timeout.read) * 1e9))
        self.inbox = inbox
        logger.debug("GET \(URLRedactor.redact(target.url)) -> 101 (WebSocket)")
        for message in options.subscribe { try write(message) }
    }

    private func write(_ message: WebSocketMessage) throws {
        guard let channel else { return }
        var buffer = channel.allocator.buffer(capacity: 0)
        let opcode: WebSocketOpcode
        switch message {
        case .text(let text):
            buffer.writeString(text)
            opcode = .text
        case .binary(let bytes):
            buffer.writeBytes(bytes)
            opcode = .binary
        }
        let frame = WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: buffer)
        try channel.writeAndFlush(frame).waitForValue(until: StreamDeadline.now + UInt64(session.config.timeout.total * 1e9),
                                                      "sending a WebSocket message took longer than the total timeout")
    }

    /// The connection is over: fail, end, or plan the next connect.
    private func connectionEnded(_ error: Error?) throws {
        disconnect()
        if let error = error as? any StreamLimitError { throw error }
        if let error = error as? HTTPError {
            if [.cancelled, .tls, .invalidConfig, .authentication].contains(error.kind) { throw error }
            if error.kind == .status, let status = error.status, !(status == 408 || status == 429 || status >= 500) { throw error }
        }
        guard options.reconnect else {
            if let error { throw error }
            finished = true
            return
        }
        let url = URLRedactor.redact((try? request.resolvedURL(base: session.config.baseURL)) ?? request.url)
        guard backoff.failures < options.maxReconnects else {
            throw HTTPError(.connection, method: "GET", url: url, attempts: connections,
                            detail: "gave up after \(options.maxReconnects) reconnects in a row without a message: \(shortReason(error))")
        }
        let delay = backoff.nextDelay(unit: Double.random(in: 0...1))
        session.metrics.record { $0.retries += 1 }
        logger.info("WebSocket \(url): \(reason(error)); reconnecting in \(String(format: "%.2f", delay)) s")
        reconnectAt = StreamDeadline.now + UInt64(delay * 1e9)
    }

    /// ``reason(_:)`` without the request line, which the error giving up names already.
    private func shortReason(_ error: Error?) -> String {
        (error as? HTTPError).flatMap { $0.kind == .status ? nil : $0.detail } ?? reason(error)
    }

    private func reason(_ error: Error?) -> String {
        guard let error else { return "the server closed the connection" }
        if let error = error as? HTTPError { return error.description }
        return TransportErrorClassifier.classify(error, timeouts: session.config.timeout).detail
    }

    /// The top-level `field` of a JSON object message, as URL text (nil: no such field).
    static func value(of field: String, in text: String) -> String? {
        guard text.first == "{" || text.first?.isWhitespace == true,
              let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return nil }
        switch object[field] {
        case let string as String: return string
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
