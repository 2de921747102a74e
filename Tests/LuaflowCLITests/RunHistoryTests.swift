import Foundation
import Testing
import TestSupport

/// `luaflow runs` and what a resumed run says about itself: the line when it starts, the
/// `resumed` column of its summary, and its entry in the history.
@Suite struct RunHistoryTests {
    static func workspace() throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", (1...100).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("sink.lua", """
        schema = { fail_at = { type = "integer" }, started = { type = "boolean", default = false } }
        function run(item)
          if item.id == 1 and config.started then
            io.open("started", "w"):close()
            local t = os.clock() + 30
            while os.clock() < t do end
          end
          if item.id == config.fail_at then error("refused record " .. item.id, 0) end
        end
        """)
        try dir.write("pipeline.lua", """
        network { { source.file { name = "in", path = "in.jsonl", checkpoint_every = 20 },
                    sink("sink.lua", { name = "out", instruction_limit = 0 }) } }
        """)
        return dir
    }

    @Test func aResumedRunSaysWhereItResumedAndTheHistoryListsBothAttempts() throws {
        let dir = try Self.workspace()
        let failed = try LuaflowBinary.run(["run", "pipeline.lua", "-q", "--set", "out.fail_at=50"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        let resumed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("from its last checkpoint: in at record 41; out after 40 records"), "\(resumed.stderr)")
        let rows = resumed.stderr.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("in ") && $0.contains(" 60 ") && $0.contains("+40    100 ") }, "\(resumed.stderr)")
        #expect(rows.contains { $0.hasPrefix("out ") && $0.contains(" 60 ") && $0.contains("+40    100 ") }, "\(resumed.stderr)")

        let history = try LuaflowBinary.run(["runs", "pipeline.lua", "--json"], in: dir)
        #expect(history.exitCode == 0, "\(history.stderr)")
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(runs.map { $0["outcome"] as? String } == ["succeeded", "failed"])
        #expect(runs[0]["run_started_at"] as? String == runs[1]["run_started_at"] as? String, "one logical run, two attempts")
        #expect(runs[0]["resumed_from"] as? [String: String] == ["in": "at record 41", "out": "after 40 records"])
        #expect((runs[1]["resumed_from"] as? [String: String])?.isEmpty == true)
        let nodes = try #require(runs[0]["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["node"] as? String } == ["in", "out"])
        #expect(nodes[0]["out"] as? Int == 60 && nodes[0]["resumed"] as? Int == 40)
        #expect(nodes[1]["in"] as? Int == 60 && nodes[1]["resumed"] as? Int == 40)
        #expect((runs[1]["seconds"] as? Double ?? -1) >= 0 && runs[1]["finished_at"] is String)

        let table = try LuaflowBinary.run(["runs", "pipeline.lua"], in: dir)
        #expect(table.stdout.split(separator: "\n").first?.hasPrefix("started") == true, "\(table.stdout)")
        #expect(table.stdout.contains("succeeded") && table.stdout.contains("in 60 out, out 60 in"), "\(table.stdout)")
    }

    @Test func aKilledRunShowsAsKilled() throws {
        let dir = try Self.workspace()
        #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q", "--set", "out.started=true"], in: dir, after: 0, startedFile: "started"))
        let history = try LuaflowBinary.run(["runs", "pipeline.lua"], in: dir)
        let lines = history.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[1].contains("killed"), "\(history.stdout)")
    }
}
