import Foundation
@testable import LuaflowCore
@testable import LuaflowSQL
import Testing

/// The batching of database sources, over a scripted reader: a batch ends only where the cursor
/// changes, the position's cursor covers every row handed on, and a lost connection starts the
/// query again after that cursor without handing a row on twice.
@Suite struct SQLSourceRuntimeTests {
    /// Rows `(id, cursor)` in cursor order, served `count` at a time from where the last `start`
    /// put them (after its cursor parameter); `loseAfter` fails the n-th chunk read once.
    final class ScriptedReader: SQLRowReader {
        let rows: [(id: Int, cursor: Int)]
        var loseAt: Int?
        var chunks = 0
        var starts: [[SQLValue]] = []
        private var remaining: ArraySlice<(id: Int, cursor: Int)> = []

        init(_ rows: [(id: Int, cursor: Int)], loseAt: Int? = nil) {
            self.rows = rows
            self.loseAt = loseAt
        }

        func start(sql: String, parameters: [SQLValue], cursorField: String?) throws {
            starts.append(parameters)
            let after: Int64 = parameters.first.flatMap { if case .integer(let v) = $0 { return v } else { return nil } } ?? .min
            remaining = rows.filter { Int64($0.cursor) > after }[...]
        }

        func next(_ count: Int) throws -> [SQLRow] {
            chunks += 1
            if chunks == loseAt {
                loseAt = nil
                throw SQLError(.connectionLost, "lost the connection to the test")
            }
            let chunk = remaining.prefix(count)
            remaining = remaining.dropFirst(chunk.count)
            return chunk.map { SQLRow(json: Array(#"{"id":\#($0.id),"c":\#($0.cursor)}"#.utf8), cursor: Array("\($0.cursor)".utf8)) }
        }

        func finish() {}
        func recover() throws {}
    }

    static func runtime(_ reader: ScriptedReader, fetchSize: Int) throws -> SQLSourceRuntime {
        let config = #"{"table": "t", "incremental": {"cursor_field": "c"}, "fetch_size": \#(fetchSize)}"#
        let spec = NodeSpec(id: 1, role: .source, name: "t", implementation: .builtin("postgres"), configJSON: Array(config.utf8),
                            options: NodeOptions(), line: 1)
        let node = BuiltinNode(spec: spec, pipeline: PipelineSpec(file: "pipeline.lua", directory: "/tmp", nodes: [spec], edges: [], networkLine: nil),
                               stats: NodeStats(name: "t", role: .source), limit: nil)
        return SQLSourceRuntime(node: node, config: try SQLSourceConfig.load(node), reader: reader, dialect: .postgres,
                                retry: SQLRetry(attempts: 3)) { [] }
    }

    /// The ids of each batch, and the cursor the position reports after it.
    static func batches(_ source: SQLSourceRuntime) throws -> [(ids: [Int], cursor: String?)] {
        var out: [(ids: [Int], cursor: String?)] = []
        try source.open()
        while let batch = try source.next() {
            let text = String(decoding: batch.jsonLines, as: UTF8.self)
            let ids = text.split(separator: "\n").map { (try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["id"] as! Int }
            out.append((ids, try source.position.cursor))
        }
        return out
    }

    @Test func aBatchNeverEndsInsideACursorValue() throws {
        let reader = ScriptedReader([(1, 10), (2, 20), (3, 20), (4, 20), (5, 30), (6, 40)])
        let source = try Self.runtime(reader, fetchSize: 2)
        try source.start(from: SourceStart())
        let batches = try Self.batches(source)
        #expect(batches.map(\.ids) == [[1, 2, 3, 4], [5, 6]])
        #expect(batches.map(\.cursor) == ["20", "40"])
        #expect(try source.position.exhausted)
    }

    @Test func aLostConnectionRestartsAfterTheDeliveredCursor() throws {
        let reader = ScriptedReader([(1, 10), (2, 20), (3, 30), (4, 40), (5, 50), (6, 60)], loseAt: 3)
        let source = try Self.runtime(reader, fetchSize: 2)
        try source.start(from: SourceStart(committedCursor: "10"))
        let batches = try Self.batches(source)
        #expect(batches.flatMap(\.ids) == [2, 3, 4, 5, 6])
        #expect(reader.starts == [[.integer(10)], [.integer(30)]], "started again after the last cursor handed on")
    }
}
