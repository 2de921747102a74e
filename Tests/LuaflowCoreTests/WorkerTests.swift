import Foundation
import Testing
@testable import LuaflowCore

@Suite struct WorkerTests {
    private func run(workers: String, ordered: Bool = true, records: Int = 20_000) throws -> (out: [Int], summary: RunSummary) {
        let ws = try Workspace()
        try ws.write("in.jsonl", (1...records).map { #"{"i":\#($0)}"# }.joined(separator: "\n") + "\n")
        try ws.write("t.lua", """
        local seen = 0
        function run(r)
          seen = seen + 1
          if r.i % 3 == 0 then return nil end
          r.sq = r.i * r.i
          return r
        end
        function finalize() return { { worker_saw = seen } } end
        """)
        try ws.write("pipeline.lua", """
        local t = transform("t.lua", { name = "t", workers = \(workers), ordered = \(ordered), batch_size = 100 })
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        let summary = try ws.run()
        let records = try ws.records("out.jsonl")
        let seen = records.compactMap { $0["worker_saw"] as? Int }
        // Each worker's finalize() reports what it saw: together, every input record once.
        #expect(seen.reduce(0, +) == (records.count - seen.count) + (summary.row("t")?.dropped ?? 0))
        return (records.compactMap { $0["i"] as? Int }, summary)
    }

    @Test func workersKeepTheInputOrderByDefault() throws {
        let one = try run(workers: "1")
        let four = try run(workers: "4")
        #expect(one.out == four.out)
        #expect(four.out.count == 20_000 - 20_000 / 3)
        #expect(four.summary.row("t")?.recordsIn == 20_000)
        #expect(four.summary.row("t")?.dropped == 20_000 / 3)
    }

    @Test func unorderedWorkersDeliverEveryRecordOnce() throws {
        let result = try run(workers: "3", ordered: false)
        #expect(result.out.sorted() == (1...20_000).filter { $0 % 3 != 0 })
    }

    @Test func autoUsesTheCoreCount() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { { source.list { items = {} }, transform(function(r) return r end, { workers = "auto" }) }, { transform(function(r) return r end), sink.stdout {} } }"#)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        #expect(spec.nodes[1].options.workers == ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func workersAreOnlyForTransforms() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { { source.list { items = {}, workers = 2 }, sink.stdout {} } }"#)
        #expect(ws.failure()?.message.contains("workers applies to transforms only") == true)
        try ws.write("pipeline.lua", #"network { { source.list { items = {} }, transform(function(r) return r end, { workers = 0 }), sink.stdout {} } }"#)
        #expect(ws.failure()?.message.contains("config.workers: must be at least 1, got 0") == true)
    }
}
