import Foundation
import LuaflowCore

/// `source.postgres` and `source.sqlite`: streams a table or a query's result as records, a
/// chunk of `fetch_size` rows at a time.
///
/// Incremental (`incremental = { cursor_field, initial_value }`): rows come in cursor order and
/// only those after the committed cursor are read. A batch ends only where the cursor value
/// changes, so every checkpoint's cursor covers every row with that value, and a resumed run (or
/// a reconnect after a lost connection) reads from exactly there: each row once. Such a source
/// counts its batches as pages (`countsPages`): the engine then never splits a batch at a
/// checkpoint (which would commit a cursor ahead of the rows sent) nor drops rows on resume (the
/// cursor already starts after them). Without a cursor, the query reads everything again and the
/// engine drops the rows the resumed run's checkpoint covers.
final class SQLSourceRuntime: SourceRuntime {
    let stats: NodeStats
    let stream = ""
    var countsPages: Bool { config.incremental != nil }
    private let node: BuiltinNode
    private let config: SQLSourceConfig
    private let reader: any SQLRowReader
    private let dialect: SQLDialect
    private let describeOrigin: () throws -> [String]
    private let fetchSize: Int
    private let maxItems: Int?
    private let retry: SQLRetry
    /// JSON of the cursor committed before this run (or, resuming, by its last checkpoint).
    private var committedCursor: [UInt8]?
    /// JSON of the cursor of the last complete cursor group handed on.
    private var deliveredCursor: [UInt8]?
    private var produced = 0
    private var exhausted = false
    private var started = false
    /// Rows read but not handed on yet (the rest of a chunk, or the first row of the next group).
    private var pending: [SQLRow] = []
    private var pendingIndex = 0
    /// Reconnects since the last chunk read.
    private var reconnects = 0

    init(node: BuiltinNode, config: SQLSourceConfig, reader: any SQLRowReader, dialect: SQLDialect,
         retry: SQLRetry = SQLRetry(), check: @escaping () throws -> [String]) {
        self.node = node
        self.config = config
        self.reader = reader
        self.dialect = dialect
        self.retry = retry
        describeOrigin = check
        stats = node.stats
        fetchSize = config.fetch_size ?? 1000
        maxItems = [node.spec.options.maxItems, node.limit].compactMap { $0 }.min()
    }

    var position: SourcePosition {
        SourcePosition(produced: produced, exhausted: exhausted,
                       cursor: (deliveredCursor ?? committedCursor).map { String(decoding: $0, as: UTF8.self) })
    }

    func start(from start: SourceStart) throws {
        committedCursor = start.committedCursor.map { Array($0.utf8) }
        exhausted = start.exhausted
    }

    func open() throws {}

    func check() throws -> [String] {
        try failing("check") { try describeOrigin() }
    }

    func next() throws -> RecordBatch? {
        if exhausted { return nil }
        return try failing("read") {
            if !started { try begin() }
            return try nextBatch()
        }
    }

    /// The query started again at the position after a lost connection: the batch being built
    /// is dropped and built anew.
    private struct Restarted: Error {}

    private func nextBatch() throws -> RecordBatch? {
        let target = maxItems.map { min(fetchSize, $0 - produced) } ?? fetchSize
        guard target > 0 else { return finish() }
        while true {
            do { return try buildBatch(target) } catch is Restarted { continue }
        }
    }

    /// Rows up to `target`, extended to the end of the last row's cursor group.
    private func buildBatch(_ target: Int) throws -> RecordBatch? {
        var lines: [UInt8] = []
        var count = 0
        var last: [UInt8]?
        var groupStart: [UInt8]?  // the cursor before the group the batch ends in
        while true {
            guard let row = try peek() else {
                if count == 0 { return finish() }
                if config.incremental != nil { deliveredCursor = last }
                break
            }
            let tooMany = maxItems.map { produced + count >= $0 } ?? false
            if count >= target && (config.incremental == nil || row.cursor != last || tooMany) {
                if config.incremental != nil { deliveredCursor = row.cursor != last ? last : groupStart ?? deliveredCursor }
                break
            }
            pendingIndex += 1
            if row.cursor != last { groupStart = last }
            last = row.cursor
            lines += row.json
            lines.append(0x0A)
            count += 1
        }
        produced += count
        stats.update { $0.recordsOut += count }
        return lines.withUnsafeBytes { RecordBatch(copying: $0, records: count, validated: true) }
    }

    private func finish() -> RecordBatch? {
        exhausted = true
        reader.finish()
        return nil
    }

    /// The next row not handed on, reading a chunk when none is left. After a lost connection
    /// it reconnects, starts the query again at the position and throws ``Restarted``.
    private func peek() throws -> SQLRow? {
        if pendingIndex < pending.count { return pending[pendingIndex] }
        do {
            pending = try reader.next(fetchSize)
            pendingIndex = 0
            reconnects = 0
            return pending.first
        } catch let error as SQLError where error.kind == .connectionLost && reconnects + 1 < retry.attempts {
            reconnects += 1
            PipelineLog.logger.warning("\(node.spec.name): \(error); reconnecting (attempt \(reconnects + 1) of \(retry.attempts))")
            try reader.recover()
            try begin()
            throw Restarted()
        }
    }

    /// Starts the query at the current position: after the delivered (or committed, or initial)
    /// cursor; without a cursor, from the start, skipping the rows this run handed on (after a
    /// reconnect).
    private func begin() throws {
        let cursorField = config.incremental?.cursor_field
        let cursor: SQLValue? = try (deliveredCursor ?? committedCursor).map(Self.value) ?? config.incremental?.initial_value?.value
        let query = try config.table.map {
            SQLSourceQuery(table: $0, schema: config.schema, cursorField: cursorField, hasCursor: cursor != nil, dialect: dialect)
        } ?? SQLSourceQuery(query: config.query ?? "", dialect: dialect)
        if query.cursorBindings > 0 && cursor == nil {
            throw SQLError(.configuration, "the query uses :cursor but the source has no incremental = { cursor_field = ..., initial_value = ... }")
        }
        let parameters = dialect == .postgres ? Array(repeating: cursor ?? .null, count: min(1, query.cursorBindings))
            : Array(repeating: cursor ?? .null, count: query.cursorBindings)
        try reader.start(sql: query.sql, parameters: parameters, cursorField: cursorField)
        pending = []
        pendingIndex = 0
        started = true
        if config.incremental == nil, produced > 0 { try skip(produced) }
    }

    /// Reads past the first `count` rows (handed on before the connection was lost).
    private func skip(_ count: Int) throws {
        var left = count
        while left > 0 {
            let rows = try reader.next(min(left, fetchSize))
            if rows.isEmpty { return }
            left -= rows.count
        }
    }

    /// A committed cursor (JSON text) as a parameter: a string, an integer or a number.
    static func value(_ json: [UInt8]) throws -> SQLValue {
        let text = String(decoding: json, as: UTF8.self)
        if text.hasPrefix("\""), let string = try JSONSerialization.jsonObject(with: Data(json), options: .fragmentsAllowed) as? String {
            return .text(string)
        }
        if let integer = Int64(text) { return .integer(integer) }
        if let double = Double(text) { return .double(double) }
        return .text(text)
    }

    /// Runs `body`, turning a ``SQLError`` into the node's run failure.
    private func failing<T>(_ phase: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLError {
            throw error.pipelineError(node, phase: phase)
        }
    }
}
