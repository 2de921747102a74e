import Foundation
import LuaflowCore

/// `source.sse { url, auth, headers, events, ... }`: follows a Server-Sent Events stream and
/// emits `{ event, id, data }` per event (`data` parsed when it is JSON), for as long as
/// `lifetime` and `max_items` allow, reconnecting as ``SSEStream`` does.
///
/// Its position is the id of the last event it emitted (or skipped with `events`): a checkpoint
/// stores it as the stream's cursor, and every later connect, in this run or the next, sends it
/// as `Last-Event-ID`. Each batch (what arrived within 200 ms, at most `batch_size` events) counts
/// as a page for `checkpoint_every`, so by default every batch is a checkpoint.
final class SSESourceRuntime: SourceRuntime {
    let stats: NodeStats
    let stream: String
    private let config: StreamSourceConfig
    private let events: Set<String>?
    private var sse: SSEStream?
    private var startID: String?
    private var batcher: StreamBatcher

    init(_ node: BuiltinNode, runtime: HTTPRuntime) throws {
        stats = node.stats
        config = try StreamSourceConfig(node, runtime: runtime)
        stream = config.stream
        events = (config.object["events"] as? [String]).map(Set.init)
        batcher = StreamBatcher(config: config, node: node)
    }

    var countsPages: Bool { true }

    func start(from start: SourceStart) throws {
        // The cursor committed last (this run's resume point, or the end of the last run).
        startID = start.committedCursor.flatMap(Self.decodeID)
        batcher.done = start.exhausted
    }

    func open() throws {
        let sse = SSEStream(session: config.session, request: HTTPRequest(url: config.url), lastEventID: startID,
                            maxReconnects: config.maxReconnects,
                            maxEventBytes: (config.object["max_event_bytes"] as? NSNumber)?.intValue ?? SSEParser.defaultMaxEventBytes)
        self.sse = sse
        try batcher.open(sse.open)
    }

    var position: SourcePosition {
        batcher.position(cursor: sse?.lastEventID ?? startID)
    }

    func next() throws -> RecordBatch? {
        guard let sse else { return nil }
        return try batcher.next(receive: { deadline in
            switch try sse.next(until: deadline) {
            case .event(let event):
                if let events, !events.contains(event.event) { return .skipped }
                var fields = [("event", StreamRecordEncoder.string(event.event))]
                if let id = event.id { fields.append(("id", StreamRecordEncoder.string(id))) }
                fields.append(("data", StreamRecordEncoder.payload(event.data)))
                return .record(StreamRecordEncoder.line(fields))
            case .timedOut: return .timedOut
            case .ended: return .ended
            }
        }, close: sse.close)
    }

    /// The id stored as a JSON string.
    static func decodeID(_ json: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) as? String
    }
}
