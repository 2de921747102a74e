import LuaflowCore

/// Gathers the items of a live stream into batches for `source.sse` and `source.websocket`: a
/// batch is what arrived within 200 ms of asking, at most `batch_size` records, and the stream is
/// done for good at `max_items`, at the end of `lifetime`, or when the server ends it. It keeps
/// the counts the source's position reports and the node's counters, and reports the stream's
/// failures as the node's.
struct StreamBatcher {
    /// What the stream gave when asked for its next item.
    enum Item {
        /// A record to emit: one JSON line.
        case record([UInt8])
        /// An item the node filters out.
        case skipped
        /// Nothing arrived before the deadline.
        case timedOut
        /// The stream ended for good.
        case ended
    }

    /// Records emitted so far.
    private(set) var produced = 0
    /// The stream is over: no more batches.
    var done = false
    private let config: StreamSourceConfig
    private let node: BuiltinNode
    private var lifetimeEnd: UInt64?

    init(config: StreamSourceConfig, node: BuiltinNode) {
        self.config = config
        self.node = node
    }

    /// Starts the node's `lifetime` and, unless the stream is done already, opens it with `connect`.
    mutating func open(_ connect: () throws -> Void) throws {
        lifetimeEnd = StreamDeadline.after(config.lifetime)
        guard !done else { return }
        do { try connect() } catch { throw config.failure(error, node: node) }
    }

    /// The source's position: what it produced, whether it is done, and `cursor` (the stream's
    /// own, stored as a JSON string).
    func position(cursor: String?) -> SourcePosition {
        SourcePosition(produced: produced, exhausted: done, cursor: cursor.map(StreamRecordEncoder.string))
    }

    /// The next batch (nil when the stream is done or nothing arrived within its lifetime).
    /// `receive` waits for the stream's next item until the deadline it is given (nil: no
    /// deadline); `close` is called once the stream is done.
    mutating func next(receive: (UInt64?) throws -> Item, close: () -> Void) throws -> RecordBatch? {
        guard !done else { return nil }
        var text: [UInt8] = []
        var count = 0
        let flushAt = StreamDeadline.now + 200_000_000
        let before = config.session.metrics.snapshot
        defer { config.count(since: before, into: node.stats) }
        while count < config.batchSize {
            if let maxItems = config.maxItems, produced + count >= maxItems {
                done = true
                break
            }
            let item: Item
            do { item = try receive(count == 0 ? lifetimeEnd : min(flushAt, lifetimeEnd ?? .max)) } catch {
                throw config.failure(error, node: node)
            }
            switch item {
            case .record(let line):
                text += line
                count += 1
            case .skipped:
                continue
            case .timedOut:
                if let lifetimeEnd, StreamDeadline.now >= lifetimeEnd { done = true }
            case .ended:
                done = true
            }
            if done || (count > 0 && StreamDeadline.now >= flushAt) { break }
        }
        if done { close() }
        produced += count
        node.stats.update { $0.recordsOut += count }
        return count > 0 ? text.withUnsafeBytes { RecordBatch(copying: $0, records: count, validated: false) } : nil
    }
}
