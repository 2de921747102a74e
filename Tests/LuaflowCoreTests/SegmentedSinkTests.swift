import Foundation
import LuaBridge
import Testing
@testable import LuaflowCore

/// `SegmentedSink` over a destination that is no file system (as object storage would be): the
/// encoders and rotation know segments only through `SegmentStore` and `SegmentWriter`.
@Suite struct SegmentedSinkTests {
    /// Segments held in memory: unfinished ones until committed, then published.
    final class MemoryStore: SegmentStore {
        var unfinished: [String: [UInt8]] = [:]
        var published: [String: [UInt8]] = [:]

        func segment(_ target: String) -> SegmentWriter { MemorySegment(target: target, store: self) }
        func isTaken(_ target: String) -> Bool { unfinished[target] != nil || published[target] != nil }
        func unfinished(matching pattern: String) throws -> [String] {
            let prefix = String(pattern.prefix { $0 != "{" })
            return unfinished.keys.filter { $0.hasPrefix(prefix) }
        }
    }

    final class MemorySegment: SegmentWriter {
        let target: String
        let store: MemoryStore
        private var keep: Int64?

        init(target: String, store: MemoryStore) {
            self.target = target
            self.store = store
        }

        var size: Int64 { Int64(store.unfinished[target]?.count ?? 0) }
        func resume(at size: Int64?) { keep = size }
        func open() throws {
            let kept = store.unfinished[target].map { Array($0.prefix(Int(keep ?? 0))) } ?? []
            store.unfinished[target] = keep == nil ? [] : kept
        }
        func copyTarget() throws -> [UInt8]? {
            store.unfinished[target] = store.published[target] ?? []
            return store.published[target]
        }
        func write(_ bytes: UnsafeRawPointer, count: Int) throws {
            store.unfinished[target, default: []] += UnsafeRawBufferPointer(start: bytes, count: count)
        }
        func flush() throws {}
        func finish() throws {}
        func commit() throws {
            store.published[target] = store.unfinished.removeValue(forKey: target) ?? []
        }
        func commitIfFinished() throws {
            if let bytes = store.unfinished.removeValue(forKey: target) { store.published[target] = bytes }
        }
        func abort(keepingProgress: Bool) {
            if !keepingProgress { store.unfinished[target] = nil }
        }
    }

    /// A `sink.file` node's spec and a loop in a Lua state of its own.
    func parts(_ sink: String) throws -> (NodeSpec, NodeStats, LuaRecordLoop) {
        let ws = try Workspace()
        try ws.write("pipeline.lua", "network { { source.list { items = { 1 } }, \(sink) } }")
        let spec = try #require(try PipelineLoader.load(file: ws.path("pipeline.lua")).nodes.first { $0.role == .sink })
        let stats = NodeStats(name: spec.name, role: .sink)
        return (spec, stats, LuaRecordLoop(spec: spec, lua: try LuaState(instructionLimit: 0), stats: stats))
    }

    func batch(_ lines: [String]) -> RecordBatch {
        let text = Array(lines.map { $0 + "\n" }.joined().utf8)
        return text.withUnsafeBytes { RecordBatch(copying: $0, records: lines.count, validated: true) }
    }

    func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    @Test func eachRotatedSegmentIsACompleteArrayPublishedOnceACommittedCheckpointCoversIt() throws {
        let (spec, stats, loop) = try parts(#"sink.file { path = "out/e-{seq}.json" }"#)
        let store = MemoryStore()
        let sink = SegmentedSink(spec: spec, stats: stats, loop: loop, encoder: JSONArrayEncoder(), store: store,
                                 target: "out/e-{seq}.json", append: false, rotate: (every: nil, bytes: 20))
        try sink.resume(from: nil, run: "r")
        try sink.open()
        try sink.consume(batch([#"{"id":1}"#, #"{"id":2}"#]))
        try sink.consume(batch([#"{"id":3}"#]))
        let token = try #require(try sink.checkpoint())
        #expect(store.published.isEmpty, "nothing is published before the checkpoint is committed")
        try sink.committed(token)
        #expect(text(store.published["out/e-000001.json"]) == "[\n{\"id\":1},\n{\"id\":2}\n]\n", "finished at 20 bytes")
        #expect(Array(store.unfinished.keys) == ["out/e-000002.json"])
        try sink.consume(batch([#"{"id":4}"#]))
        _ = try sink.finish()
        try sink.publish()
        #expect(text(store.published["out/e-000002.json"]) == "[\n{\"id\":3},\n{\"id\":4}\n]\n")
        #expect(store.unfinished.isEmpty && store.published.count == 2)
    }

    @Test func anAbortedRotationDiscardsItsUnpublishedSegments() throws {
        let (spec, stats, loop) = try parts(#"sink.file { path = "out/e-{seq}.jsonl" }"#)
        let store = MemoryStore()
        let sink = SegmentedSink(spec: spec, stats: stats, loop: loop, encoder: JSONLinesEncoder(), store: store,
                                 target: "out/e-{seq}.jsonl", append: false, rotate: (every: nil, bytes: 1))
        try sink.resume(from: nil, run: "r")
        try sink.open()
        try sink.consume(batch([#"{"id":1}"#]))
        try sink.consume(batch([#"{"id":2}"#]))
        #expect(store.unfinished.count == 2)
        sink.abort(keepingProgress: false)
        #expect(store.unfinished.isEmpty && store.published.isEmpty)
    }

    @Test func aResumedSegmentIsCutBackToItsCheckpointAndContinued() throws {
        let (spec, stats, loop) = try parts(#"sink.file { path = "out.json" }"#)
        let store = MemoryStore()
        func sink() -> SegmentedSink {
            SegmentedSink(spec: spec, stats: stats, loop: loop, encoder: JSONArrayEncoder(), store: store,
                          target: "out.json", append: false, rotate: nil)
        }
        let first = sink()
        try first.resume(from: nil, run: "r")
        try first.open()
        try first.consume(batch([#"{"id":1}"#]))
        let token = try #require(try first.checkpoint())
        try first.consume(batch([#"{"id":2}"#]))
        first.abort(keepingProgress: true)
        let second = sink()
        try second.resume(from: token, run: "r")
        try second.open()
        try second.consume(batch([#"{"id":3}"#]))
        _ = try second.finish()
        try second.publish()
        #expect(text(store.published["out.json"]) == "[\n{\"id\":1},\n{\"id\":3}\n]\n")
    }

    @Test func appendingToCSVTakesTheColumnsOfItsQuotedHeader() throws {
        let (spec, stats, loop) = try parts(#"sink.file { path = "out.csv", mode = "append" }"#)
        let store = MemoryStore()
        store.published["out.csv"] = Array("\u{FEFF}\"a,b\",\"say \"\"hi\"\"\"\r\n1,2\r\n".utf8)
        let sink = SegmentedSink(spec: spec, stats: stats, loop: loop, encoder: CSVEncoder(delimiter: 0x2C, columns: nil, loop: loop),
                                 store: store, target: "out.csv", append: true, rotate: nil)
        try sink.resume(from: nil, run: "r")
        try sink.open()
        try sink.consume(batch([#"{"say \"hi\"":"x","a,b":3}"#]))
        _ = try sink.finish()
        try sink.publish()
        #expect(text(store.published["out.csv"]) == "\u{FEFF}\"a,b\",\"say \"\"hi\"\"\"\r\n1,2\r\n3,x\n")
    }
}
