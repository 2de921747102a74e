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
    private let node: BuiltinNode
    private let config: StreamSourceConfig
    private let options: WebSocketStream.Options
    private var socket: WebSocketStream?
    private var startCursor: String?
    private var lifetimeEnd: UInt64?
    private var produced = 0
    private var done = false

    init(_ node: BuiltinNode, runtime: HTTPRuntime) throws {
        self.node = node
        stats = node.stats
        config = try StreamSourceConfig(node, runtime: runtime)
        stream = config.stream
        options = Self.options(config.object, maxReconnects: config.maxReconnects)
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
        return options
    }

    var countsPages: Bool { true }

    func start(from start: SourceStart) throws {
        startCursor = options.cursor == nil ? nil : start.committedCursor.flatMap(SSESourceRuntime.decodeID)
        done = start.exhausted
    }

    func open() throws {
        lifetimeEnd = StreamDeadline.after(config.lifetime)
        let socket = WebSocketStream(session: config.session, request: HTTPRequest(url: config.url), options: options, cursor: startCursor)
        self.socket = socket
        guard !done else { return }
        do { try socket.open() } catch { throw config.failure(error, node: node) }
    }

    var position: SourcePosition {
        SourcePosition(produced: produced, exhausted: done, cursor: (socket?.cursor ?? startCursor).map(StreamRecordEncoder.string))
    }

    func next() throws -> RecordBatch? {
        guard !done, let socket else { return nil }
        var text: [UInt8] = []
        var count = 0
        let flushAt = StreamDeadline.now + 200_000_000
        let before = config.session.metrics.snapshot
        defer { config.count(since: before, into: stats) }
        while count < config.batchSize {
            if let maxItems = config.maxItems, produced + count >= maxItems {
                done = true
                break
            }
            let deadline = count == 0 ? lifetimeEnd : min(flushAt, lifetimeEnd ?? .max)
            let found: WebSocketStream.Next
            do { found = try socket.receive(until: deadline) } catch { throw config.failure(error, node: node) }
            switch found {
            case .message(let message):
                text += Self.record(message)
                count += 1
            case .timedOut:
                if let lifetimeEnd, StreamDeadline.now >= lifetimeEnd { done = true }
            case .ended:
                done = true
            }
            if done || (count > 0 && StreamDeadline.now >= flushAt) { break }
        }
        if done { socket.close() }
        produced += count
        stats.update { $0.recordsOut += count }
        return count > 0 ? text.withUnsafeBytes { RecordBatch(copying: $0, records: count, validated: false) } : nil
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
