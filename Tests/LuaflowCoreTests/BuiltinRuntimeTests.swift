import Foundation
import Testing
@testable import LuaflowCore

/// A built-in written in Swift outside the core (as a database target registers its sinks):
/// its schema is checked by the one validator, it receives validated records, and `luaflow
/// check` reports what its own check found.
@Suite struct BuiltinRuntimeTests {
    /// `sink.memory { label = ... }`: keeps every record's JSON text; `check()` says its label.
    final class MemorySink: SinkRuntime {
        let stats: NodeStats
        let validator: RecordValidator
        let label: String
        let received: Locked<[String]>

        init(_ node: BuiltinNode, received: Locked<[String]>) throws {
            stats = node.stats
            validator = try RecordValidator(node)
            let config = try JSONSerialization.jsonObject(with: Data(node.configJSON)) as? [String: Any]
            label = config?["label"] as? String ?? ""
            self.received = received
        }

        func open() throws { validator.open() }

        func consume(_ batch: RecordBatch) throws {
            let valid = try validator.validated(batch)
            let text = valid.bytes.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valid.length), as: UTF8.self) } ?? ""
            received.withLock { $0 += text.split(separator: "\n").map(String.init) }
            stats.update { $0.recordsIn += valid.records }
        }

        func finish() throws -> SinkToken? { nil }

        func check() throws -> [String] { ["memory \(label) reachable"] }
    }

    static func extensions(_ received: Locked<[String]>) -> HostExtensions {
        HostExtensions(runtimes: ["sink.memory": BuiltinRuntime(schema: """
            schema = { label = { type = "string", required = true, description = "a name" } }
            """) { node in try MemorySink(node, received: received) }])
    }

    @Test func receivesEveryRecordValidated() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", "{\"id\":1}\n{\"id\":2}\n")
        try ws.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl" }, sink.memory { label = "m" } } }
        """)
        let received = Locked<[String]>([])
        let summary = try ws.run(extensions: Self.extensions(received))
        #expect(received.withLock { $0 } == ["{\"id\":1}", "{\"id\":2}"])
        #expect(summary.rows.last?.stats.recordsIn == 2)
    }

    @Test func configIsCheckedAgainstItsSchema() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        network { { source.list { items = { 1 } }, sink.memory { lable = "m" } } }
        """)
        let failure = try #require(ws.failure(extensions: Self.extensions(Locked([]))))
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("unknown setting `lable`; did you mean `label`?"), "\(failure.message)")
    }

    @Test func checkReportsWhatTheBuiltinFound() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        network { { source.list { items = { 1 } }, sink.memory { label = "m" } } }
        """)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        let results = PipelineCheck.run(spec, extensions: Self.extensions(Locked([])))
        #expect(results.last?.ok == true)
        #expect(results.last?.notes == ["memory m reachable"])
    }

    @Test func anUnknownKindNamesTheClosestBuiltin() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local s = source.list { items = { 1 } }
        network { { s, sink.memroy { label = "m" } } }
        """)
        let failure = try #require(ws.failure(extensions: Self.extensions(Locked([]))))
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("unknown built-in sink.memroy (pipeline.lua:2); did you mean sink.memory?"), "\(failure.message)")
        #expect(failure.message.contains("built-in sinks: sink.file, sink.memory, sink.stdout"), "\(failure.message)")
    }
}
