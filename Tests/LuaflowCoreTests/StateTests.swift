import Foundation
import Testing
@testable import LuaflowCore

/// Checkpoints, resume and incremental sync, in-process.
@Suite struct StateTests {
    /// A get() source over 5 pages of 3 records (ids 1-15) that records each page it is asked for
    /// in `calls.log`, honours state.cursor, and fails on page `fail_at`.
    static let pagedSource = """
    schema = { fail_at = { type = "integer", default = 0 }, pages = { type = "integer", default = 5 } }
    cursor_field = "id"
    function get(pagination, state)
      local page = pagination.page or 1
      local log = io.open("calls.log", "a"); log:write(page, " ", tostring(state.cursor), " ", tostring(state.last_run ~= nil), "\\n"); log:close()
      if page > config.pages then return nil end
      if page == config.fail_at then error("page " .. page .. " is broken") end
      local records = {}
      for i = 1, 3 do
        local id = (page - 1) * 3 + i
        if state.cursor == nil or id > state.cursor then records[#records + 1] = { id = id } end
      end
      return records, { page = page + 1 }
    end
    """

    func workspace() throws -> Workspace {
        let ws = try Workspace()
        try ws.write("src.lua", Self.pagedSource)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        return ws
    }

    func ids(_ ws: Workspace) throws -> [Int] {
        try ws.records("out.jsonl").map { $0["id"] as! Int }
    }

    func calls(_ ws: Workspace) throws -> [String] {
        let text = ws.exists("calls.log") ? try ws.read("calls.log") : ""
        try? FileManager.default.removeItem(atPath: ws.path("calls.log"))
        return text.split(separator: "\n").map(String.init)
    }

    @Test func aSecondRunFetchesOnlyNewRecords() throws {
        let ws = try workspace()
        try ws.run(state: true)
        #expect(try ids(ws) == Array(1...15))
        #expect(try calls(ws).first == "1 nil false")
        try ws.run(overrides: ["src.pages=7"], state: true)
        #expect(try ids(ws) == Array(16...21))
        #expect(try calls(ws).first == "1 15 true", "state.cursor and state.last_run reach get()")
        let stored = try #require(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: ""))
        #expect(stored.cursor == "21")
        #expect(stored.records == 21)
        #expect(stored.pagination == nil)
    }

    @Test func appendModeAccumulatesIncrementalRuns() throws {
        let ws = try workspace()
        try ws.write("pipeline.lua", """
        local src = source("src.lua")
        network { { src, sink.file { path = "out.jsonl", mode = "append" } }, { src, sink.file { path = "out.csv", mode = "append" } } }
        """)
        try ws.run(state: true)
        try ws.run(overrides: ["src.pages=7"], state: true)
        #expect(try ids(ws) == Array(1...21))
        #expect(try ws.read("out.csv") == "id\n" + (1...21).map(String.init).joined(separator: "\n") + "\n", "one header")
    }

    @Test func appendModeSurvivesACrashWithoutDuplicates() throws {
        let ws = try workspace()
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl", mode = "append" } } }"#)
        try ws.write("out.jsonl", #"{"id":0}"#)
        #expect(ws.failure(overrides: ["src.fail_at=3"], state: true) != nil)
        try ws.run(state: true)
        #expect(try ids(ws) == Array(0...15))
    }

    @Test func appendModeNeedsALineFormat() throws {
        let ws = try workspace()
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.json", mode = "append" } } }"#)
        #expect(ws.failure()?.message.contains("mode = \"append\" works with jsonl, csv and txt") == true)
    }

    @Test func aFailedRunResumesFromItsLastCheckpoint() throws {
        let ws = try workspace()
        let failure = try #require(ws.failure(overrides: ["src.fail_at=4"], state: true))
        #expect(failure.message.contains("page 4 is broken"))
        #expect(!ws.exists("out.jsonl"), "nothing is published by a failed run")
        #expect(try calls(ws).map { $0.prefix(1) } == ["1", "2", "3", "4"])
        try ws.run(state: true)
        #expect(try ids(ws) == Array(1...15), "every record exactly once")
        // What was in flight when the source failed drained, so page 3's checkpoint was committed.
        #expect(try calls(ws).map { $0.prefix(1) } == ["4", "5", "6"], "the resumed run starts at page 4")
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").lastRun()?.status == .succeeded)
    }

    @Test func fullRefreshIgnoresTheState() throws {
        let ws = try workspace()
        try ws.run(state: true)
        _ = try calls(ws)
        try ws.run(state: true, fullRefresh: true)
        #expect(try ids(ws) == Array(1...15))
        #expect(try calls(ws).first == "1 nil false")
    }

    @Test func aRunSourceResumesBySkippingCommittedRecords() throws {
        let ws = try Workspace()
        try ws.write("count.lua", """
        schema = { fail_at = { type = "integer", default = 0 } }
        local n = 0
        function run()
          n = n + 1
          if n > 50 then return nil end
          if n == config.fail_at then error("record " .. n .. " is broken") end
          return { n = n }
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("count.lua", { batch_size = 5, checkpoint_every = 10 }), sink.file { path = "out.jsonl" } } }"#)
        #expect(ws.failure(overrides: ["count.fail_at=37"], state: true) != nil)
        let stored = try #require(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "count", stream: ""))
        #expect(stored.skip == 30, "the last checkpoint before record 37")
        let summary = try ws.run(state: true)
        #expect(try ws.records("out.jsonl").map { $0["n"] as! Int } == Array(1...50))
        #expect(summary.row("count")?.recordsOut == 50 - stored.skip, "only the records after the checkpoint count as produced")
    }

    @Test func aCSVSinkResumesWithItsHeaderAndColumns() throws {
        let ws = try workspace()
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.csv" } } }"#)
        #expect(ws.failure(overrides: ["src.fail_at=3"], state: true) != nil)
        try ws.run(state: true)
        #expect(try ws.read("out.csv") == "id\n" + (1...15).map(String.init).joined(separator: "\n") + "\n")
    }

    @Test func aTransformHoldingRecordsDefersCheckpointsToTheEnd() throws {
        let ws = try workspace()
        try ws.write("hold.lua", """
        local held = {}
        function run(r) held[#held + 1] = r end
        function finalize() for _, r in ipairs(held) do emit(r) end end
        """)
        try ws.write("pipeline.lua", """
        local src, hold = source("src.lua"), transform("hold.lua")
        network { { src, hold }, { hold, sink.file { path = "out.jsonl" } } }
        """)
        #expect(ws.failure(overrides: ["src.fail_at=4"], state: true) != nil)
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "") == nil, "no mid-run checkpoint")
        try ws.run(state: true)
        #expect(try ids(ws) == Array(1...15))
    }

    @Test func checkpointsFlushScriptSinks() throws {
        let ws = try workspace()
        try ws.write("batches.lua", """
        function write(batch)
          local f = io.open("writes.log", "a"); f:write(#batch, "\\n"); f:close()
        end
        """)
        try ws.write("lines.lua", """
        local n = 0
        function run(item) n = n + 1 end
        function flush() local f = io.open("flushes.log", "a"); f:write(n, "\\n"); f:close() end
        """)
        try ws.write("pipeline.lua", """
        local src = source("src.lua")
        network { { src, sink("batches.lua", { batch_size = 100 }) }, { src, sink("lines.lua") } }
        """)
        try ws.run(state: true)
        #expect(try ws.read("writes.log") == "3\n3\n3\n3\n3\n", "each page's checkpoint sends the pending batch")
        #expect(try ws.read("flushes.log") == "3\n6\n9\n12\n15\n15\n", "flush() at every checkpoint and once more when the inputs are done")
    }

    @Test func stateStoreCommitsAndResets() throws {
        let ws = try Workspace()
        let store = try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline")
        let lease = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "here", ttl: 60))
        try store.markRunning(id: "pipeline@2026-01-01T00:00:00.000Z", startedAt: "2026-01-01T00:00:00.000Z", lease: lease)
        let stream = StreamState(node: "a", pagination: #"{"page":2}"#, cursor: "5", records: 3)
        try store.commit(StateCommit(streams: [StreamUpdate(from: nil, to: stream)], sinks: [SinkToken(node: "out", records: 3, data: #"{"load":7}"#)]),
                         lease: lease)
        #expect(try store.stream(node: "a", stream: "")?.pagination == #"{"page":2}"#)
        #expect(try store.sinkToken(node: "out") == SinkToken(node: "out", records: 3, data: #"{"load":7}"#))
        #expect(try store.lastRun()?.status == .running)
        try store.reset(node: "a", lease: lease)
        #expect(try store.stream(node: "a", stream: "") == nil)
        #expect(try store.sinkToken(node: "out") != nil)
        try store.reset(node: nil, lease: lease)
        #expect(try store.lastRun() == nil)
    }

    @Test func pipelinesOfOneStoreKeepTheirOwnState() throws {
        let ws = try Workspace()
        let orders = try SQLiteStateBackend(path: ws.statePath, pipeline: "orders")
        let refunds = try SQLiteStateBackend(path: ws.statePath, pipeline: "refunds")
        let ordersLease = try #require(try orders.acquireLease(scope: Lease.pipelineScope, owner: "here", ttl: 60))
        let refundsLease = try #require(try refunds.acquireLease(scope: Lease.pipelineScope, owner: "there", ttl: 60),
                                        "each pipeline has its own lease")
        try orders.markRunning(id: "orders@2026-01-01T00:00:00.000Z", startedAt: "2026-01-01T00:00:00.000Z", lease: ordersLease)
        try orders.commit(StateCommit(streams: [StreamUpdate(from: nil, to: StreamState(node: "events", cursor: "10", records: 10))],
                                      sinks: [SinkToken(node: "out", records: 10, data: nil)],
                                      run: ("orders@2026-01-01T00:00:00.000Z", .succeeded)), lease: ordersLease)
        _ = try orders.beginAttempt(runStartedAt: "2026-01-01T00:00:00.000Z", startedAt: "2026-01-01T00:00:00.000Z", resumedFrom: [:])
        #expect(try refunds.stream(node: "events", stream: "") == nil, "same node name, other pipeline")
        #expect(try refunds.lastRun() == nil && refunds.sinkTokens().isEmpty && refunds.history(limit: 5).isEmpty)
        try refunds.commit(StateCommit(streams: [StreamUpdate(from: nil, to: StreamState(node: "events", cursor: "4", records: 4))]),
                           lease: refundsLease)
        try refunds.reset(node: nil, lease: refundsLease)
        #expect(try orders.stream(node: "events", stream: "")?.cursor == "10", "a reset forgets one pipeline's state only")
        #expect(try orders.lastRun()?.id == "orders@2026-01-01T00:00:00.000Z")
        #expect(try refunds.pipelines() == ["orders"])
    }

    @Test func aRunReleasesItsLease() throws {
        let ws = try workspace()
        try ws.run(state: true)
        let store = try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline")
        #expect(try store.acquireLease(scope: Lease.pipelineScope, owner: "another machine", ttl: 60) != nil,
                "another worker may take over as soon as the run ended")
    }
}
