import Foundation
import LuaBridge
import LuaflowCore

/// The host functions behind `session:sse(path)` and `session:websocket(path)`. Their waits block
/// only the node's thread, end on a stop signal, and in a source node end the stream when the
/// node's `lifetime` is over.
extension HTTPLuaBinding {
    /// sse_open(session id, path, query_json, headers_json, last_event_id | nil, max_event_bytes | nil) -> stream id
    func openEventStream(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        let request = try streamRequest(args)
        let stream = SSEStream(session: session, request: request, lastEventID: args[5].stringValue,
                               maxEventBytes: args[6].integerValue.map(Int.init) ?? SSEParser.defaultMaxEventBytes)
        try counted(session) { try stream.open() }
        nextStreamID += 1
        eventStreams[nextStreamID] = stream
        return [.integer(Int64(nextStreamID))]
    }

    /// sse_next(stream id, timeout | nil) -> event, id, data, retry | nil, "timeout" | nil, "ended"
    func nextEvent(_ args: HostArguments) throws -> [LuaValue] {
        guard let id = args[1].integerValue.map(Int.init), let stream = eventStreams[id] else {
            throw HostFunctionError("http: the event stream is closed")
        }
        let deadline = waitDeadline(args[2])
        let session = sessionOf(stream)
        let found = try counted(session) { try stream.next(until: deadline.end) }
        switch found {
        case .event(let event):
            return [.string(event.event), event.id.map { .string($0) } ?? .nil, .bytes(Array(event.data.utf8)),
                    event.retry.map { .integer(Int64($0)) } ?? .nil]
        case .timedOut:
            if deadline.isLifetime { return endStream(id) }
            return [.nil, .string("timeout")]
        case .ended:
            return endStream(id)
        }
    }

    /// ws_open(session id, path, query_json, headers_json, options_json, cursor | nil) -> socket id
    func openWebSocket(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        let request = try streamRequest(args)
        let object = (try? JSONSerialization.jsonObject(with: Data(args.bytes(5) ?? Array("{}".utf8)))) as? [String: Any] ?? [:]
        var options = WebSocketSourceRuntime.options(object, maxReconnects: (object["max_reconnects"] as? NSNumber)?.intValue ?? 10)
        options.reconnect = object["reconnect"] as? Bool ?? true
        let socket = WebSocketStream(session: session, request: request, options: options, cursor: args[6].stringValue)
        try counted(session) { try socket.open() }
        nextStreamID += 1
        webSockets[nextStreamID] = socket
        return [.integer(Int64(nextStreamID))]
    }

    /// ws_send(socket id, payload, binary) -> nothing
    func sendMessage(_ args: HostArguments) throws -> [LuaValue] {
        let socket = try webSocket(args)
        let payload = args.bytes(2) ?? []
        let message: WebSocketMessage = args[3] == .boolean(true) ? .binary(payload) : .text(String(decoding: payload, as: UTF8.self))
        try counted(sessionOf(socket)) { try socket.send(message) }
        return []
    }

    /// ws_receive(socket id, timeout | nil) -> message, is_binary, cursor | nil, "timeout" | nil, "closed"
    func receiveMessage(_ args: HostArguments) throws -> [LuaValue] {
        let socket = try webSocket(args)
        let id = Int(args[1].integerValue ?? 0)
        let deadline = waitDeadline(args[2])
        switch try counted(sessionOf(socket), { try socket.receive(until: deadline.end) }) {
        case .message(.text(let text)):
            return [.bytes(Array(text.utf8)), .boolean(false), socket.cursor.map { .string($0) } ?? .nil]
        case .message(.binary(let bytes)):
            return [.bytes(bytes), .boolean(true), socket.cursor.map { .string($0) } ?? .nil]
        case .timedOut:
            if deadline.isLifetime { return endStream(id) }
            return [.nil, .string("timeout")]
        case .ended:
            return endStream(id)
        }
    }

    /// stream_close(id) -> nothing: closes an event stream or a WebSocket.
    func closeStream(_ args: HostArguments) throws -> [LuaValue] {
        if let id = args[1].integerValue.map(Int.init) { _ = endStream(id) }
        return []
    }

    private func endStream(_ id: Int) -> [LuaValue] {
        eventStreams.removeValue(forKey: id)?.close()
        webSockets.removeValue(forKey: id)?.close()
        return [.nil, .string("closed")]
    }

    private func webSocket(_ args: HostArguments) throws -> WebSocketStream {
        guard let id = args[1].integerValue.map(Int.init), let socket = webSockets[id] else {
            throw HostFunctionError("http: the WebSocket is closed")
        }
        return socket
    }

    private func sessionOf(_ stream: SSEStream) -> HTTPSession { stream.session }

    private func sessionOf(_ socket: WebSocketStream) -> HTTPSession { socket.session }

    /// A GET of path `args[2]` with query and header pairs from `args[3]` and `args[4]`.
    private func streamRequest(_ args: HostArguments) throws -> HTTPRequest {
        let request = HTTPRequest(url: args[2].stringValue ?? "", query: try Self.pairs(args.bytes(3)), headers: try Self.pairs(args.bytes(4)))
        URLRedactor.secrets(in: request.url).forEach(Redactor.shared.add)
        request.query.filter { URLRedactor.isSensitiveParameter($0.0) && !$0.1.isEmpty }.forEach { Redactor.shared.add($0.1) }
        return request
    }

    /// The end of a wait of `timeout` seconds (nil: none), cut short by the node's lifetime.
    private func waitDeadline(_ timeout: LuaValue) -> (end: UInt64?, isLifetime: Bool) {
        var seconds: Double?
        if case .number(let n) = timeout { seconds = n }
        if case .integer(let n) = timeout { seconds = Double(n) }
        let asked = StreamDeadline.after(seconds)
        guard let lifetimeEnd else { return (asked, false) }
        guard let asked else { return (lifetimeEnd, true) }
        return asked <= lifetimeEnd ? (asked, false) : (lifetimeEnd, true)
    }
}
