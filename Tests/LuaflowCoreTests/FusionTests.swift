import Foundation
import Testing
@testable import LuaflowCore

@Suite struct FusionTests {
    private func plan(_ pipeline: String) throws -> [[String]] {
        let ws = try Workspace()
        try ws.write("t.lua", "function run(r) return r end")
        try ws.write("pipeline.lua", pipeline)
        let graph = try PipelineGraph(try PipelineLoader.load(file: ws.path("pipeline.lua")))
        return StagePlan(graph: graph, fuse: true).stages.map { $0.map { graph.node($0).name } }
    }

    @Test func chainsOfSingleInputSingleOutputTransformsFuse() throws {
        let stages = try plan("""
        local a, b, c = transform("t.lua", { name = "a" }), transform("t.lua", { name = "b" }), transform(function(r) return r end, { name = "c" })
        network { { source.list { items = {} }, a, b, c, sink.stdout {} } }
        """)
        #expect(stages == [["list"], ["a", "b", "c"], ["stdout"]])
    }

    @Test func fanOutFanInBuiltinsAndDifferentWorkersBreakChains() throws {
        let stages = try plan("""
        local a, b, c, d = transform("t.lua", { name = "a" }), transform("t.lua", { name = "b" }),
                           transform("t.lua", { name = "c" }), transform("t.lua", { name = "d", workers = 2 })
        local s = source.list { items = {} }
        network { { s, a }, { a, b }, { a, c }, { b, sink.stdout {} }, { c, d }, { d, sink.file { path = "x.jsonl" } } }
        """)
        #expect(stages.contains(["a"]) && stages.contains(["b"]) && stages.contains(["c"]) && stages.contains(["d"]))
    }

    private static let chain = """
    local split = transform(function(r)
      if r.n % 5 == 0 then return nil end           -- drop
      if r.n % 7 == 0 then emit({ n = r.n * 1000, from = "emit" }) end
      return r
    end, { name = "split" })
    local check = transform("check.lua", { name = "check", on_error = "skip" })
    local tally = transform("tally.lua", { name = "tally" })
    network { { source.file { path = "in.jsonl" }, split, check, tally, sink.file { path = "out.jsonl" } } }
    """

    private func runChain(fuse: Bool) throws -> (lines: [String], summary: RunSummary) {
        let ws = try Workspace()
        try ws.write("in.jsonl", (1...300).map { #"{"n":\#($0)}"# }.joined(separator: "\n"))
        try ws.write("check.lua", """
        function run(r)
          if r.n % 11 == 0 then error("eleven: " .. r.n) end
          r.checked = true
          return r
        end
        function finalize() emit({ n = -1, from = "check finalize" }) end
        """)
        try ws.write("tally.lua", """
        local count = 0
        function run(r) count = count + 1; r.seq = count; return r end
        function finalize() return { { n = -2, total = count } } end
        """)
        try ws.write("pipeline.lua", Self.chain)
        let summary = try ws.run(fuse: fuse)
        return (try ws.read("out.jsonl").split(separator: "\n").map(String.init), summary)
    }

    @Test func fusedAndUnfusedRunsAreIdentical() throws {
        let fused = try runChain(fuse: true)
        let unfused = try runChain(fuse: false)
        // Same records in the same order (key order inside a record may differ: see docs).
        let parse = { (line: String) in try JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary }
        #expect(try fused.lines.map(parse) == unfused.lines.map(parse))
        for name in ["split", "check", "tally"] {
            let a = try #require(fused.summary.row(name)), b = try #require(unfused.summary.row(name))
            let fusedCounts: [Int] = [a.recordsIn, a.recordsOut, a.dropped, a.errors]
            let unfusedCounts: [Int] = [b.recordsIn, b.recordsOut, b.dropped, b.errors]
            #expect(fusedCounts == unfusedCounts, "\(name)")
        }
        // check fails on multiples of 11 that split kept (not multiples of 5), and on the items
        // split emitted for multiples of 77 (n * 1000 is then a multiple of 11 too).
        let failures = (300 / 11 - 300 / 55) + 300 / 77
        #expect(fused.summary.row("check")?.errors == failures)
        #expect(fused.lines.last?.contains(#""total":"#) == true)
        #expect(fused.lines.contains { $0.contains("check finalize") })
    }

    @Test func anErrorInAFusedMemberNamesThatMember() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"n":1}"# + "\n")
        try ws.write("b.lua", "function run(r)\n  return r.missing.field\nend")
        try ws.write("pipeline.lua", """
        local a = transform(function(r) return r end, { name = "a" })
        local b = transform("b.lua", { name = "b" })
        network { { source.file { path = "in.jsonl" }, a, b, sink.stdout {} } }
        """)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("node 'b' (run)"))
        #expect(failure.message.contains("b.lua:2: attempt to index a nil value (field 'missing')"))
        #expect(failure.message.contains(#"record 1 (in.jsonl:1): {"n":1}"#))
    }
}
