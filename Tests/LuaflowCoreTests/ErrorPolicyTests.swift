import Foundation
import Testing
@testable import LuaflowCore

/// on_error = fail | skip | dead_letter, and the error classes scripts raise.
@Suite struct ErrorPolicyTests {
    func workspace(policy: String) throws -> Workspace {
        let ws = try Workspace()
        try ws.write("check.lua", """
        function run(r)
          if r.n % 4 == 0 then errors.data("n = " .. r.n .. " is a multiple of 4") end
          return r
        end
        """)
        try ws.write("pipeline.lua", """
        local items = {}
        for n = 1, 10 do items[n] = { n = n } end
        local check = transform("check.lua", { on_error = "\(policy)" })
        network { { source.list { items = items }, check }, { check, sink.file { path = "out.jsonl" } } }
        """)
        return ws
    }

    @Test func failStopsTheRunAtTheRecord() throws {
        let ws = try workspace(policy: "fail")
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("check.lua:2: [data] n = 4 is a multiple of 4"))
        #expect(failure.exitCode == 1)
    }

    @Test func skipCountsAndGoesOn() throws {
        let ws = try workspace(policy: "skip")
        let summary = try ws.run()
        #expect(try ws.records("out.jsonl").count == 8)
        #expect(summary.row("check")?.errors == 2)
        #expect(!ws.exists("check.dead.jsonl"))
    }

    @Test func deadLetterWritesRecordNodeErrorAndTimeAndKeepsEarlierRuns() throws {
        let ws = try workspace(policy: "dead_letter")
        let summary = try ws.run()
        #expect(summary.row("check")?.deadLettered == 2)
        #expect(summary.table().contains("dead"))
        let letters = try ws.records("check.dead.jsonl")
        #expect(letters.count == 2)
        #expect((letters[0]["record"] as? [String: Any])?["n"] as? Int == 4)
        #expect(letters[0]["node"] as? String == "check")
        #expect((letters[0]["error"] as? String)?.contains("[data] n = 4 is a multiple of 4") == true)
        #expect((letters[0]["time"] as? String)?.hasPrefix("20") == true)
        try ws.run()
        #expect(try ws.records("check.dead.jsonl").count == 4, "entries of earlier runs are kept")
    }

    @Test func aBadInputLineIsDeadLetteredAsText() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", "{\"a\": 1}\n{\"a\": tru}\n{\"a\": 3}\n")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.jsonl", on_error = "dead_letter" }, sink.file { path = "out.jsonl" } } }"#)
        try ws.run()
        #expect(try ws.records("out.jsonl").count == 2)
        let letters = try ws.records("in.jsonl.dead.jsonl")
        #expect(letters.first?["record_text"] as? String == #"{"a": tru}"#)
    }

    @Test func aWriteBatchFailureDeadLettersEachRecord() throws {
        let ws = try Workspace()
        try ws.write("sink.lua", "function write(batch) if batch[1].n == 3 then error('rejected') end end")
        try ws.write("pipeline.lua", """
        network { { source.list { items = { {n = 1}, {n = 2}, {n = 3}, {n = 4} } },
                    sink("sink.lua", { batch_size = 2, on_error = "dead_letter" }) } }
        """)
        let summary = try ws.run()
        #expect(summary.row("sink")?.deadLettered == 2)
        #expect(try ws.records("sink.dead.jsonl").compactMap { ($0["record"] as? [String: Any])?["n"] as? Int } == [3, 4])
    }

    @Test func aTransientErrorRaisedFromLuaIsRetried() throws {
        let ws = try Workspace()
        try ws.write("flaky.lua", """
        local failures = 0
        function get(pagination)
          local page = pagination.page or 1
          if page > 3 then return nil end
          if page == 2 and failures < 2 then
            failures = failures + 1
            errors.transient("upstream busy")
          end
          return { { page = page } }, { page = page + 1 }
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("flaky.lua"), sink.file { path = "out.jsonl" } } }"#)
        let summary = try ws.run()
        #expect(try ws.records("out.jsonl").map { $0["page"] as! Int } == [1, 2, 3])
        #expect(summary.row("flaky")?.retries == 2)
    }

    @Test func aTransientErrorThatPersistsFailsTheRun() throws {
        let ws = try Workspace()
        try ws.write("down.lua", #"function get() errors.connection("cannot reach the API") end"#)
        try ws.write("pipeline.lua", #"network { { source("down.lua"), sink.file { path = "out.jsonl" } } }"#)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("down.lua:1: [connection] cannot reach the API"))
    }

    @Test func anAuthErrorStopsTheRunEvenWhenSkipping() throws {
        let ws = try Workspace()
        try ws.write("locked.lua", #"function get() errors.auth("token expired") end"#)
        try ws.write("pipeline.lua", #"network { { source("locked.lua", { on_error = "skip" }), sink.file { path = "out.jsonl" } } }"#)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("[auth] token expired"))
    }

    @Test func scriptsCanReadTheClassOfACaughtError() throws {
        let ws = try Workspace()
        try ws.write("t.lua", """
        function run(r)
          local ok, err = pcall(errors.transient, "later")
          r.class = errors.class(err)
          r.none = errors.class("plain") == nil
          return r
        end
        """)
        try ws.write("pipeline.lua", """
        local t = transform("t.lua")
        network { { source.list { items = { {a = 1} } }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        try ws.run()
        let record = try #require(try ws.records("out.jsonl").first)
        #expect(record["class"] as? String == "transient")
        #expect(record["none"] as? Bool == true)
    }
}
