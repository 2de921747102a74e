import Foundation
import Testing

@Suite struct ProgressTests {
    /// A source of 40 records that takes about 25 ms per record and announces them with count().
    static func workspace() throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("slow.lua", """
        local i = 0
        function count() return 40 end
        function run()
          i = i + 1
          if i > 40 then return nil end
          local t = os.clock()
          while os.clock() - t < 0.025 do end
          return { i = i }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("slow.lua"), sink.file { path = "out.jsonl" } } }"#)
        return dir
    }

    @Test func offATerminalThereIsNoProgressOnlyTheSummary() throws {
        let dir = try Self.workspace()
        for args in [["run", "pipeline.lua"], ["run", "pipeline.lua", "--no-progress"]] {
            let env = args.count == 3 ? ["LUAFLOW_PROGRESS": "always"] : [:]
            let result = try LuaflowBinary.run(args, in: dir, environment: env)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("ETA") && !result.stderr.contains("\u{1B}["), "\(result.stderr)")
            #expect(!result.stderr.contains("rate"))
            #expect(result.stderr.contains("done in"))
        }
    }

    @Test func forcedProgressShowsRatePercentAndETAFromCount() throws {
        let dir = try Self.workspace()
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, environment: ["LUAFLOW_PROGRESS": "always"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let frames = result.stderr.components(separatedBy: "\n").filter { $0.contains("slow") && $0.contains("source") && $0.contains("%") }
        #expect(!frames.isEmpty, "\(result.stderr)")
        #expect(frames.contains { $0.contains("ETA") && $0.contains("/s") }, "\(frames)")
        #expect(result.stderr.contains("node  kind    ") || result.stderr.contains("rate  retries  progress"))
        #expect(result.stderr.contains("done in"))
        #expect(try dir.read("out.jsonl").split(separator: "\n").count == 40)
    }

    /// `source.file` knows its input's size: percent and ETA come from the bytes read. The input
    /// is several chunks long and a slow sink paces the reading, so frames show partial percents.
    @Test func aFileSourceShowsPercentAndETAFromBytesRead() throws {
        let dir = try LuaflowBinary.workspace()
        let line = #"{"id":1,"pad":"\#(String(repeating: "x", count: 100))"}"#
        try dir.write("in.jsonl", String(repeating: line + "\n", count: 100_000))
        try dir.write("slow.lua", "function run(item) local t = os.clock() + 0.00002 while os.clock() < t do end end")
        try dir.write("pipeline.lua", #"network { { source.file { name = "src", path = "in.jsonl" }, sink("slow.lua", { instruction_limit = 0 }) } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, environment: ["LUAFLOW_PROGRESS": "always"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let frames = result.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("src ") }
        let partial = frames.filter { $0.contains("ETA") && !$0.contains("100%") && $0.contains("%") }
        #expect(!partial.isEmpty, "\(frames)")
    }

    @Test func aFailingCountIsLoggedAndIgnored() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", "local n = 0\nfunction count() error('no total here') end\nfunction run() n = n + 1; if n <= 2 then return { n = n } end end")
        try dir.write("pipeline.lua", #"network { { source("src.lua"), sink.stdout {} } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, environment: ["LUAFLOW_PROGRESS": "always"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning [src] count() failed, so progress has no ETA: src.lua:2: no total here"), "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 2)
    }
}
