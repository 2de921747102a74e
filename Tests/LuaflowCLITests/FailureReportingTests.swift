import Foundation
import Testing
import TestSupport

/// A run exits 0 only when every source reached its natural end and every sink committed; any
/// other ending is non-zero, says why, publishes nothing and is recorded as such.
@Suite struct FailureReportingTests {
    @Test func aFailingRunSourceIsNotCalledAgainAndNothingIsPublished() throws {
        let dir = try LuaflowBinary.workspace()
        // The run-once pattern: a run() that failed must not be taken for one that ended.
        try dir.write("once.lua", """
        local done = false
        function run()
          if done then return nil end
          done = true
          error("the API is down")
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("once.lua", { on_error = "skip" }), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains("once.lua:5: the API is down"), "\(result.stderr)")
        #expect(result.stderr.contains("resumable = true"), "\(result.stderr)")
        #expect(!dir.exists("out.jsonl"))
        #expect(!dir.exists(".out.jsonl.partial"), "no checkpoint covers it: nothing to resume")
        let state = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir)
        #expect(state.stdout.contains(#""status":"failed""#), "\(state.stdout)")
    }

    @Test func aResumableRunSourceSkipsFailedCallsUnderOnError() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("counter.lua", """
        resumable = true
        local n = 0
        function run()
          n = n + 1
          if n > 5 then return nil end
          if n == 3 then error("record 3 is unreadable") end
          return { id = n }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("counter.lua", { on_error = "skip" }), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try dir.ids(in: "out.jsonl") == [1, 2, 4, 5])
    }

    @Test func aScriptsOwnTransientErrorIsRetriedWithTheSamePagination() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pages.lua", """
        local failures = 0
        function get(p)
          local page = p.page or 1
          if page == 2 and failures < 2 then
            failures = failures + 1
            errors.transient("busy")
          end
          local next = page < 3 and { page = page + 1 } or nil
          return { { id = page } }, next
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("pages.lua"), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try dir.ids(in: "out.jsonl") == [1, 2, 3])
        #expect(result.stderr.contains("calling it again"), "one log line per retry: \(result.stderr)")
    }

    @Test func aPaginationCycleIsCaughtOnItsFirstRepeat() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("cycle.lua", """
        local next_of = { [1] = 2, [2] = 3, [3] = 4, [4] = 5, [5] = 4 }
        function get(p)
          local page = p.page or 1
          return { { id = page } }, { page = next_of[page] }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("cycle.lua"), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains(#"get() returned the pagination {"page":4} after page 5, as it did after page 3"#), "\(result.stderr)")
        #expect(!dir.exists("out.jsonl"))
    }

    @Test func nilRecordsWithANextPaginationIsAnError() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("gap.lua", """
        function get(p)
          local page = p.page or 1
          if page == 2 then return nil, { page = 3 } end
          return { { id = page } }, page < 3 and { page = page + 1 } or nil
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("gap.lua"), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains("get() returned nil records with a next pagination"), "\(result.stderr)")
    }

    @Test func anOutputPathThatIsADirectoryIsAConfigErrorBeforeAnyWork() throws {
        let dir = try LuaflowBinary.workspace()
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        try dir.write("touch.lua", """
        function run() local f = io.open("touched.txt", "w"); f:write("x"); f:close(); return nil end
        """)
        try dir.write("pipeline.lua", #"network { { source("touch.lua"), sink.file { path = "out" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("path out is a directory"), "\(result.stderr)")
        #expect(!dir.exists("touched.txt"), "no node ran")
    }

    @Test func aStateStoreThatCannotBeOpenedIsARuntimeFailure() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", #"network { { source.list { items = { { id = 1 } } }, sink.file { path = "out.jsonl" } } }"#)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("state.db"), withIntermediateDirectories: true)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--state", "state.db"], in: dir)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(result.stderr.contains("state store"), "\(result.stderr)")
    }

    @Test func aKilledRunIsReportedAsKilled() throws {
        let dir = try LuaflowBinary.workspace()
        try SignalTests.writeSlowFilePipeline(in: dir, fanOut: false)
        #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua"], in: dir, after: 0.2, startedFile: "started"))
        let state = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(state.stdout.contains("last run: killed (the next run resumes)"), "\(state.stdout)")
    }
}
