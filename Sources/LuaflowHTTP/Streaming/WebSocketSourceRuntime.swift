import Foundation
import LuaflowCore

/// `source.websocket { url, auth, subscribe, cursor, ping, ... }`: emits every message of a
/// WebSocket as a record (a JSON object message as it is; any other as `{ "data": ... }`) for
/// as long as `lifetime` and `max_items` allow, reconnecting and subscribing again as
/// ``WebSocketStream`` does.
///
/// With `cursor`, its position is the cursor field of the last message emitted: a checkpoint
/// stores it, and every later connect, in this run or the next, sends it. Without one a
/// WebSocket cannot be replayed, and a restart continues from the live stream. Each batch (what
/// arrived within 200 ms, at most `batch_size` messages) counts as a page for `checkpoint_every`.
final class WebSocketSourceRuntime: SourceRuntime {
    let stats: NodeStats
    let stream: String
    private let config: StreamSourceConfig
    private let options: WebSocketStream.Options
    private var socket: WebSocketStream?
    private var startCursor: String?
    private var batcher: StreamBatcher

    init(_ node: BuiltinNode, runtime: HTTPRuntime) throws {
        stats = node.stats
        config = try StreamSourceConfig(node, runtime: runtime)
        stream = config.stream
        options = Self.options(config.object, maxReconnects: config.maxReconnects)
        batcher = StreamBatcher(config: config, node: node)
    }

    /// The stream's options from the node's config.
    static func options(_ object: [String: Any], maxReconnects: Int) -> WebSocketStream.Options {
        var options = WebSocketStream.Options()
        options.subscribe = (object["subscribe"] as? [Any] ?? []).map { item in
            if let text = item as? String { return .text(text) }
            let data = (try? JSONSerialization.data(withJSONObject: item, options: [.sortedKeys])) ?? Data("{}".utf8)
            return .text(String(decoding: data, as: UTF8.self))
        }
        if let cursor = object["cursor"] as? [String: Any], let field = cursor["field"] as? String {
            options.cursor = .init(field: field, param: cursor["param"] as? String ?? "cursor")
        }
        options.ping = (object["ping"] as? NSNumber)?.doubleValue ?? 20
        options.pingTimeout = (object["ping_timeout"] as? NSNumber)?.doubleValue ?? 10
        options.maxReconnects = maxReconnects
        options.maxMessageBytes = (object["max_message_bytes"] as? NSNumber)?.intValue ?? options.maxMessageBytes
        return options
    }

    var countsPages: Bool { true }

    func start(from start: SourceStart) throws {
        startCursor = options.cursor == nil ? nil : start.committedCursor.flatMap(SSESourceRuntime.decodeID)
        batcher.done = start.exhausted
    }

    func open() throws {
        let socket = WebSocketStream(session: config.session, request: HTTPRequest(url: config.url), options: options, cursor: startCursor)
        self.socket = socket
        try batcher.open(socket.open)
    }

    var position: SourcePosition {
        batcher.position(cursor: socket?.cursor ?? startCursor)
    }

    func next() throws -> RecordBatch? {
        guard let socket else { return nil }
        return try batcher.next(receive: { deadline in
            switch try socket.receive(until: deadline) {
            case .message(let message): return .record(Self.record(message))
            case .timedOut: return .timedOut
            case .ended: return .ended
            }
        }, close: socket.close)
    }

    /// A JSON object message as it is; any other as `{"data": ...}` (binary: base64 with `"binary":true`).
    static func record(_ message: WebSocketMessage) -> [UInt8] {
        switch message {
        case .text(let text):
            let value = StreamRecordEncoder.payload(text)
            if value.first == "{" { return Array((value + "\n").utf8) }
            return StreamRecordEncoder.line([("data", value)])
        case .binary(let bytes):
            return StreamRecordEncoder.line([("data", StreamRecordEncoder.string(Data(bytes).base64EncodedString())), ("binary", "true")])
        }
    }
}
