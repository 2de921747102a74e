import Foundation
import Testing
import TestSupport

/// Pipelines that run for a long time, through the built binary: `every` timers, `time.sleep`,
/// checkpoints by time, and file sinks that rotate and publish each finished file exactly once.
@Suite struct StreamingRunTests {
    /// A source giving records 1...n, one per `time.sleep(pause)`, each sent on at once.
    static let slowSource = """
    resumable = true
    schema = { n = { type = "integer", required = true }, pause = { type = "number", default = 0.1 } }
    local i = 0
    function init() io.open("started", "w"):close() end
    function run()
      i = i + 1
      if i > config.n then return nil end
      time.sleep(config.pause)
      return { id = i }
    end
    """

    static func ids(_ text: String) -> [Int] {
        text.split(separator: "\n").compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["id"] as? Int
        }
    }

    /// Every published file under `out/` of `dir` (no in-progress file may be left).
    static func outputs(_ dir: URL) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
        #expect(!files.contains { $0.hasSuffix(".partial") }, "\(files)")
        return try files.map { try dir.read("out/" + $0) }
    }

    @Test func timersFireWhileIdleAndEmitRecords() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", Self.slowSource)
        try dir.write("window.lua", """
        local count = 0
        every(0.25, function()
          if count > 0 then emit({ window = count, at = time.now() }) end
          count = 0
        end)
        function run(r) count = count + 1 end
        function finalize() if count > 0 then return { { window = count } } end end
        """)
        try dir.write("pipeline.lua", """
        network { { source("src.lua", { n = 12, batch_size = 1 }), transform("window.lua"), sink.file { path = "out/windows.jsonl" } } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let windows = try dir.read("out/windows.jsonl").split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(windows.compactMap { $0["window"] as? Int }.reduce(0, +) == 12)
        #expect(windows.count >= 3, "timers fired during the run: \(windows)")
        #expect(windows.contains { ($0["at"] as? Double ?? 0) > 1_700_000_000 }, "time.now() is the Unix time")
    }

    @Test func everyIsRefusedOutsideTheTopLevelAndInSources() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("late.lua", """
        function run(r) every(1, function() end) return r end
        """)
        try dir.write("pipeline.lua", """
        network { { source.list { items = { 1 } }, transform("late.lua"), sink.stdout {} } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("late.lua:1: every(seconds, fn) is called at the top level of the script"), "\(result.stderr)")
    }

    @Test func aSleepCountsAgainstTheTimeLimit() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("nap.lua", """
        function run(r)
          time.sleep(0.2)
          time.sleep(30)
          return r
        end
        """)
        try dir.write("pipeline.lua", """
        network { { source.list { items = { 1 } }, transform("nap.lua", { time_limit = 1 }), sink.stdout {} } }
        """)
        let started = Date()
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("nap.lua:3: time limit exceeded"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func sigtermEndsASleepAtOnce() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", Self.slowSource)
        try dir.write("pipeline.lua", """
        network { { source("src.lua", { n = 3, pause = 30 }), sink.stdout {} } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, signal: (SIGTERM, 0.3), startedFile: "started")
        #expect(result.exitCode == 143, "\(result.stderr)")
        #expect((result.exitedAfterSignal ?? 99) < 3)
    }

    /// Without `checkpoint_interval` this source checkpoints every 100000 records, so a kill
    /// would lose the whole run; with it, the rerun resumes where the last timed checkpoint was.
    @Test func checkpointsComeByTimeAsWellAsByCount() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", Self.slowSource)
        try dir.write("pipeline.lua", """
        network { { source("src.lua", { n = 40, pause = 0.05, batch_size = 1, checkpoint_interval = "0.2s" }),
                    sink.file { path = "out/ids.jsonl" } } }
        """)
        #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q"], in: dir, after: 1.2, startedFile: "started"))
        let rerun = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("from its last checkpoint"), "\(rerun.stderr)")
        #expect(Self.ids(try dir.read("out/ids.jsonl")) == Array(1...40))
    }

    @Test func aSinkRotatesByTimeAndPublishesEveryFile() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", Self.slowSource)
        try dir.write("pipeline.lua", """
        network { { source("src.lua", { n = 12, batch_size = 1 }),
                    sink.file { path = "out/events-{seq}.jsonl", rotate = { every = "0.3s" } } } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let files = try Self.outputs(dir)
        #expect(files.count >= 3, "\(files)")
        #expect(files.flatMap(Self.ids) == Array(1...12))
    }

    @Test func rotationNeedsANamePatternAndALineFormat() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.list { items = { 1 } }, sink.file { path = "out/events.jsonl", rotate = { bytes = "1MB" } } },
                  { source.list { items = { 1 } }, sink.file { path = "out/e-{time}.csv", rotate = { every = "1h" } } } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("names each file with {time} or {seq}"), "\(result.stderr)")
        #expect(result.stderr.contains("rotate works with jsonl and txt files"), "\(result.stderr)")
    }

    /// A replayable source into a sink rotating every 4 KB, killed at random moments: the files
    /// published at checkpoints and at the end hold every record exactly once. The transform is
    /// slow enough (9 s of work) that no killed attempt finishes the run: a finished run would be
    /// followed by a fresh one, which rightly writes everything again.
    @Test func rotatedFilesAreExactlyOnceAcrossKills() throws {
        let dir = try LuaflowBinary.workspace()
        let total = 3000
        try dir.write("in.jsonl", (1...total).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("slow.lua", """
        function init() io.open("started", "w"):close() end
        function run(r)
          local t = os.clock() + 0.003
          while os.clock() < t do end
          return r
        end
        """)
        try dir.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl", checkpoint_every = 200 }, transform("slow.lua"),
                    sink.file { path = "out/ids-{time}.jsonl", rotate = { bytes = "4KB" } } } }
        """)
        _ = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 4, seed: 1130, delays: 0.3...1.5)
        let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(last.exitCode == 0, "\(last.stderr)")
        let files = try Self.outputs(dir)
        #expect(files.count > 5)
        #expect(files.flatMap(Self.ids).sorted() == Array(1...total))
    }
}
