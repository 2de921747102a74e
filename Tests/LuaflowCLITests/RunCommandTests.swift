import Foundation
import Testing
import TestSupport

@Suite struct RunCommandTests {
    @Test func helpShowsCommandsAndExamples() throws {
        let top = try LuaflowBinary.run(["--help"])
        #expect(top.exitCode == 0)
        #expect(top.stdout.contains("run"))
        let run = try LuaflowBinary.run(["run", "--help"])
        #expect(run.exitCode == 0)
        for text in ["--set", "--limit", "--log-format", "Examples:", "Exit status"] { #expect(run.stdout.contains(text)) }
    }

    @Test(arguments: [("source.file { path = \"in.jsonl\" }", "source.file does not read ranges"),
                      ("source(\"plain.lua\")", "plain.lua does not read ranges")])
    func aSourceThatReadsNoRangesRefusesBackfill(_ source: String, _ message: String) throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", "{\"a\":1}\n")
        try dir.write("plain.lua", "function get() return nil end")
        try dir.write("pipeline.lua", "network { { \(source), sink.file { path = \"out.jsonl\" } } }")
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--backfill", "2024-01-01..2024-02-01"], in: dir)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("--backfill: \(message)"), "\(result.stderr)")
        #expect(!dir.exists("out.jsonl"))
    }

    @Test func quickstartRunsAndWritesItsOutputs() throws {
        let dir = try LuaflowBinary.workspace(copying: "quickstart")
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = try dir.read("out/paid_orders.jsonl").split(separator: "\n")
        #expect(lines.count == 4)
        #expect(try dir.read("out/paid_orders.csv").hasPrefix("order_id,customer,amount,band\n1001,Ada Lovelace,120.5,large\n"))
        #expect(result.stderr.contains("paid_orders"))
        #expect(result.stderr.contains("done in"))
    }

    @Test func usersExampleRunsTheReferenceJob() throws {
        let dir = try LuaflowBinary.workspace(copying: "users")
        let input = (1...10).map { #"{"id":\#($0),"name":"ada","age":\#($0 * 5),"active":\#($0 % 2 == 0),"tags":[],"manager_id":null}"# }
        try dir.write("data/users.jsonl", input.joined(separator: "\n") + "\n")
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let out = try dir.read("out/active_users.jsonl").split(separator: "\n")
        #expect(out.count == 5)
        #expect(out.allSatisfy { $0.contains(#""name":"ADA""#) && $0.contains(#""tags":[]"#) && $0.contains(#""manager_id":null"#) })
    }

    @Test func setAndLimitChangeTheRun() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("count.lua", "local n = 0\nfunction run() n = n + 1; return { n = n, label = config.label } end")
        try dir.write("pipeline.lua", #"network { { source("count.lua", { name = "ticks" }), sink.stdout {} } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--set", "ticks.label=hello", "--limit", "3", "-q"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout == #"{"n":1,"label":"hello"}"# + "\n" + #"{"n":2,"label":"hello"}"# + "\n" + #"{"n":3,"label":"hello"}"# + "\n"
            || result.stdout.split(separator: "\n").count == 3)
        #expect(result.stderr.isEmpty)
    }

    @Test func configErrorsExitTwoAndListEveryProblem() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", "schema = { n = { type = 'integer', required = true } }\nfunction run() end")
        try dir.write("pipeline.lua", """
        local a = source("src.lua", { name = "a" })
        local b = source("src.lua", { name = "b", n = "x" })
        network { { a, sink.stdout {} }, { b, sink.stdout {} } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("2 problems"))
        #expect(result.stderr.contains("node 'a' (config): config.n: is required"))
        #expect(result.stderr.contains("node 'b' (config): config.n: expected an integer, got the string 'x'"))
    }

    @Test func runtimeErrorsExitOneWithScriptLocationAndTracebackWhenVerbose() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("boom.lua", "local function explode(x)\n  error('cannot handle ' .. x.id)\nend\nfunction run(x) explode(x) end")
        try dir.write("pipeline.lua", #"network { { source.list { items = { { id = 7 } } }, sink("boom.lua") } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-v"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("boom.lua:2: cannot handle 7"))
        #expect(result.stderr.contains(#"record 1: {"id":7}"#))
        #expect(result.stderr.contains("stack traceback:"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try LuaflowBinary.run(["run", "p.lua", "--set", "novalue"]).exitCode == 2)
        #expect(try LuaflowBinary.run(["run", "/nonexistent/pipeline.lua"]).exitCode == 2)
        #expect(try LuaflowBinary.run(["frobnicate"]).exitCode != 0)
    }

    @Test func versionNamesTheReleaseTheLuaAndTheBuild() throws {
        let result = try LuaflowBinary.run(["--version"])
        #expect(result.exitCode == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.wholeMatch(of: /luaflow \d+\.\d+\.\d+/) != nil, "\(result.stdout)")
        #expect(lines.dropFirst().first?.hasPrefix("Lua 5.4.") == true, "\(result.stdout)")
        #expect(lines.last?.contains("debug build for Linux") == true, "the tests run the debug build: \(result.stdout)")
    }

    @Test func jsonLogFormatPrintsAMachineReadableSummary() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", #"network { { source.list { items = { {a = 1}, {a = 2} } }, sink.file { path = "o.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--log-format", "json"], in: dir)
        #expect(result.exitCode == 0)
        let line = try #require(result.stderr.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        let nodes = object["summary"] as! [[String: Any]]
        #expect(nodes.map { $0["node"] as! String } == ["list", "o.jsonl"])
        #expect(nodes[1]["in"] as? Int == 2)
    }

    @Test func ctrlCDrainsKeepsProgressAndTheNextRunResumes() async throws {
        try await onThread { try Self.interruptAndResume() }
    }

    static func interruptAndResume() throws {
        let dir = try LuaflowBinary.workspace()
        // 300 records, about 10 ms each: Ctrl-C after 1 s lands in the middle.
        try dir.write("slow.lua", """
        local n = 0
        function run()
          n = n + 1
          if n > 300 then return nil end
          local t = os.clock() + 0.01
          while os.clock() < t do end
          return { n = n }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("slow.lua", { batch_size = 10 }), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, interruptAfter: 1.0)
        #expect(result.exitCode == 130, "\(result.stderr)")
        #expect(result.stderr.contains("interrupted after"))
        #expect(result.stderr.contains("run again to resume"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path), "an interrupted run publishes nothing")
        let resumed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        let ns = try dir.read("out.jsonl").split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["n"] as! Int
        }
        #expect(ns == Array(1...300))
    }
}
