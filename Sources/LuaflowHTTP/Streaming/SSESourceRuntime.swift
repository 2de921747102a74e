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
    private let node: BuiltinNode
    private let config: StreamSourceConfig
    private let events: Set<String>?
    private var sse: SSEStream?
    private var startID: String?
    private var lifetimeEnd: UInt64?
    private var produced = 0
    private var done = false

    init(_ node: BuiltinNode, runtime: HTTPRuntime) throws {
        self.node = node
        stats = node.stats
        config = try StreamSourceConfig(node, runtime: runtime)
        stream = config.stream
        events = (config.object["events"] as? [String]).map(Set.init)
    }

    var countsPages: Bool { true }

    func start(from start: SourceStart) throws {
        // The cursor committed last (this run's resume point, or the end of the last run).
        startID = start.committedCursor.flatMap(Self.decodeID)
        done = start.exhausted
    }

    func open() throws {
        lifetimeEnd = StreamDeadline.after(config.lifetime)
        let sse = SSEStream(session: config.session, request: HTTPRequest(url: config.url), lastEventID: startID,
                            maxReconnects: config.maxReconnects)
        self.sse = sse
        guard !done else { return }
        do { try sse.open() } catch { throw config.failure(error, node: node) }
    }

    var position: SourcePosition {
        SourcePosition(produced: produced, exhausted: done, cursor: (sse?.lastEventID ?? startID).map(StreamRecordEncoder.string))
    }

    func next() throws -> RecordBatch? {
        guard !done, let sse else { return nil }
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
            let found: SSEStream.Next
            do { found = try sse.next(until: deadline) } catch { throw config.failure(error, node: node) }
            switch found {
            case .event(let event):
                if let events, !events.contains(event.event) { continue }
                var fields = [("event", StreamRecordEncoder.string(event.event))]
                if let id = event.id { fields.append(("id", StreamRecordEncoder.string(id))) }
                fields.append(("data", StreamRecordEncoder.payload(event.data)))
                text += StreamRecordEncoder.line(fields)
                count += 1
            case .timedOut:
                if let lifetimeEnd, StreamDeadline.now >= lifetimeEnd { done = true }
            case .ended:
                done = true
            }
            if done || (count > 0 && StreamDeadline.now >= flushAt) { break }
        }
        if done { sse.close() }
        produced += count
        stats.update { $0.recordsOut += count }
        return count > 0 ? text.withUnsafeBytes { RecordBatch(copying: $0, records: count, validated: false) } : nil
    }

    /// The id stored as a JSON string.
    static func decodeID(_ json: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) as? String
    }
}
