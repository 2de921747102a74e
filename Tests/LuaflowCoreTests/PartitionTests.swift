import Foundation
import Testing
@testable import LuaflowCore

/// Partitioned `get()` sources: each partition has its own pagination, cursor and checkpoint,
/// so a failed run resumes every partition where it was and a finished one is not read again.
@Suite struct PartitionTests {
    /// Partitions `{ account = ... }` from `config.accounts`; each has `config.pages` pages of two
    /// records `{ account, n }` (n counts from 1 per account), honours its `state.cursor`, logs
    /// every call as `account page cursor` in calls.log, and fails on the page named `fail_at`
    /// (`b2`: account b, page 2).
    static let source = """
    schema = {
      accounts = { type = "string", default = "a,b,c" },
      pages = { type = "integer", default = 3 },
      fail_at = { type = "string", default = "" },
    }
    cursor_field = "n"
    function partitions()
      local list = {}
      for name in config.accounts:gmatch("[^,]+") do list[#list + 1] = { account = name } end
      return list
    end
    function get(pagination, state)
      local account, page = state.partition.account, pagination.page or 1
      local log = io.open("calls.log", "a"); log:write(account, " ", page, " ", tostring(state.cursor), "\\n"); log:close()
      if page > config.pages then return nil end
      if account .. page == config.fail_at then error("page " .. page .. " of " .. account .. " is broken") end
      local records = {}
      for i = 1, 2 do
        local n = (page - 1) * 2 + i
        if state.cursor == nil or n > state.cursor then records[#records + 1] = { account = account, n = n } end
      end
      return records, { page = page + 1 }
    end
    """

    func workspace() throws -> Workspace {
        let ws = try Workspace()
        try ws.write("src.lua", Self.source)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        return ws
    }

    /// `account:n` of each output record, in order.
    func output(_ ws: Workspace) throws -> [String] {
        try ws.records("out.jsonl").map { "\($0["account"] as! String):\($0["n"] as! Int)" }
    }

    func calls(_ ws: Workspace) throws -> [String] {
        let text = ws.exists("calls.log") ? try ws.read("calls.log") : ""
        try? FileManager.default.removeItem(atPath: ws.path("calls.log"))
        return text.split(separator: "\n").map(String.init)
    }

    static func expected(_ accounts: [String], through n: Int = 6, after cursor: Int = 0) -> [String] {
        accounts.flatMap { a in (cursor + 1...n).map { "\(a):\($0)" } }
    }

    func partitions(_ ws: Workspace) throws -> [PartitionState] {
        try #require(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "")).partitions
    }

    @Test func aFailedRunResumesEachPartitionWhereItWas() throws {
        let ws = try workspace()
        #expect(ws.failure(overrides: ["src.fail_at=b2"], state: true) != nil)
        #expect(try calls(ws) == ["a 1 nil", "a 2 nil", "a 3 nil", "a 4 nil", "b 1 nil", "b 2 nil"])
        let stored = try partitions(ws)
        #expect(stored.map(\.key) == [#"{"account":"a"}"#, #"{"account":"b"}"#, #"{"account":"c"}"#])
        #expect(stored.map(\.exhausted) == [true, false, false])
        #expect(stored.map(\.pagination) == [nil, #"{"page":2}"#, nil])
        #expect(stored.map(\.cursor) == ["6", "2", nil])
        #expect(stored.map(\.records) == [6, 2, 0])

        try ws.run(state: true)
        #expect(try calls(ws) == ["b 2 nil", "b 3 nil", "b 4 nil", "c 1 nil", "c 2 nil", "c 3 nil", "c 4 nil"],
                "a is not read again; b goes on at page 2")
        #expect(try output(ws) == Self.expected(["a", "b", "c"]), "every record of every partition once, in declared order")
        let final = try partitions(ws)
        #expect(final.map(\.cursor) == ["6", "6", "6"])
        #expect(final.map(\.records) == [6, 6, 6])
        #expect(final.allSatisfy { $0.pagination == nil && !$0.exhausted })
    }

    @Test func eachPartitionKeepsItsOwnCursor() throws {
        let ws = try workspace()
        try ws.run(overrides: ["src.accounts=a,b"], state: true)
        _ = try calls(ws)
        try ws.run(overrides: ["src.accounts=a,b", "src.pages=4"], state: true)
        #expect(try calls(ws).filter { $0.hasSuffix(" 1 6") } == ["a 1 6", "b 1 6"], "state.cursor is the partition's")
        #expect(try output(ws) == ["a:7", "a:8", "b:7", "b:8"])
        #expect(try partitions(ws).map(\.cursor) == ["8", "8"])
    }

    @Test func aChangedListRunsNewPartitionsAndForgetsRemovedOnes() throws {
        let ws = try workspace()
        try ws.run(state: true)
        _ = try calls(ws)
        try ws.run(overrides: ["src.accounts=d,b", "src.pages=4"], state: true)
        #expect(try output(ws) == Self.expected(["d"], through: 8) + ["b:7", "b:8"], "declared order; b reads only new records")
        #expect(try partitions(ws).map(\.key) == [#"{"account":"d"}"#, #"{"account":"b"}"#])
    }

    @Test func aResumedRunWithAChangedListDropsRemovedPartitionsAndRunsNewOnes() throws {
        let ws = try workspace()
        #expect(ws.failure(overrides: ["src.fail_at=b2"], state: true) != nil)
        _ = try calls(ws)
        try ws.run(overrides: ["src.accounts=c,b,e"], state: true)
        #expect(try calls(ws).first == "c 1 nil")
        #expect(try output(ws) == Self.expected(["a"]) + ["b:1", "b:2"] + Self.expected(["c"]) + ["b:3", "b:4", "b:5", "b:6"]
                + Self.expected(["e"]), "committed records stay; b goes on where it was, once")
        #expect(try partitions(ws).map(\.key) == ["c", "b", "e"].map { #"{"account":"\#($0)"}"# })
    }

    /// The contract: whatever page a run fails on (first, middle or last of a partition), the
    /// next run goes on from the last checkpoint, reads no committed page again, and the
    /// published output holds every record of every partition exactly once, in order.
    @Test func failuresAtEveryKindOfPageLoseAndDuplicateNothing() throws {
        let ws = try workspace()
        let settings = ["src.accounts=a,b,c,d", "src.pages=5"]
        let points = ["a1", "a3", "a5", "b1", "b2", "c5", "d1", "d4"]
        var calls: [String] = []
        for point in points {
            #expect(ws.failure(overrides: settings + ["src.fail_at=\(point)"], state: true) != nil, "fails at \(point)")
            calls += try self.calls(ws)
        }
        try ws.run(overrides: settings, state: true)
        calls += try self.calls(ws)
        #expect(try output(ws) == Self.expected(["a", "b", "c", "d"], through: 10))
        // Each page with records is read once, and once more by the run after the one it failed.
        var reads: [String: Int] = [:]
        for call in calls where !call.contains(" 6 ") { reads[call.split(separator: " ").prefix(2).joined(), default: 0] += 1 }
        let expected = Dictionary(uniqueKeysWithValues: ["a", "b", "c", "d"].flatMap { a in
            (1...5).map { p in ("\(a)\(p)", points.contains("\(a)\(p)") ? 2 : 1) }
        })
        #expect(reads == expected)
    }

    /// `partitions_ahead = 2`: each `get()` sees the next two partitions still to read, with the
    /// pagination and state it will receive for each (the cursor as `state.cursor` shows it).
    @Test func getSeesTheNextPartitionsWithPartitionsAhead() throws {
        let ws = try Workspace()
        try ws.write("src.lua", """
        schema = { pages = { type = "integer", default = 1 } }
        cursor_field, primary_key, partitions_ahead = "n", "n", 2
        function partitions() return { { account = "a" }, { account = "b" }, { account = "c" } } end
        function get(pagination, state)
          local page, ahead = pagination.page or 1, {}
          for _, next in ipairs(state.upcoming or {}) do
            ahead[#ahead + 1] = next.state.partition.account .. "@" .. tostring(next.state.cursor) .. "/" .. json.encode(next.pagination)
          end
          local log = io.open("calls.log", "a"); log:write(state.partition.account, page, " ", table.concat(ahead, " "), "\\n"); log:close()
          if page > config.pages then return nil end
          local n = config.pages * 10 + page
          return { { account = state.partition.account, n = n } }, { page = page + 1 }
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        try ws.run(state: true)
        #expect(try calls(ws) == ["a1 b@nil/{} c@nil/{}", "a2 b@nil/{} c@nil/{}", "b1 c@nil/{}", "b2 c@nil/{}", "c1 ", "c2 "])
        try ws.run(overrides: ["src.pages=2"], state: true)
        #expect(try calls(ws).first == "a1 b@11/{} c@11/{}", "each partition's own cursor, unwrapped from its keys")
        #expect(try output(ws) == ["a:21", "a:22", "b:21", "b:22", "c:21", "c:22"], "the walk is the same")
        try ws.write("src.lua", "partitions_ahead = -1\nfunction partitions() return {} end\nfunction get() return nil end")
        #expect(ws.failure(state: true)?.message.contains("partitions_ahead must be an integer of at least 0") == true)
    }

    @Test func aPartitionIsIdentifiedByItsKeyElseByItsCanonicalJSON() throws {
        let list = try DeclaredPartition.parse(Array(#"[{"to":"2026-02","from":"2026-01"},{"b":2,"key":"k1"},{"key":7},{}]"#.utf8))
        #expect(list.map(\.key) == [#"{"from":"2026-01","to":"2026-02"}"#, "k1", "7", "{}"])
        #expect(list.map(\.json) == [#"{"from":"2026-01","to":"2026-02"}"#, #"{"b":2,"key":"k1"}"#, #"{"key":7}"#, "{}"])
        #expect(try DeclaredPartition.parse(Array("{}".utf8)).isEmpty, "an empty Lua table is an empty list")
    }

    @Test func partitionsWithoutGetIsAConfigError() throws {
        let ws = try workspace()
        try ws.write("src.lua", "function partitions() return {} end\nfunction run() return nil end")
        let failure = try #require(ws.failure(state: true))
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("src.lua defines partitions() without get(pagination, state)"), "\(failure.message)")
    }

    @Test func partitionsMustBeTablesWithDistinctKeys() throws {
        let ws = try workspace()
        try ws.write("src.lua", "function partitions() return { { key = 1 }, { key = 1, x = 2 } } end\nfunction get() return nil end")
        #expect(ws.failure(state: true)?.message.contains("partitions 1 and 2 have the same key 1") == true)
        try ws.write("src.lua", "function partitions() return { 'a' } end\nfunction get() return nil end")
        #expect(ws.failure(state: true)?.message.contains("partitions() returned a string as partition 1") == true)
        try ws.write("src.lua", "function partitions() return 3 end\nfunction get() return nil end")
        #expect(ws.failure(state: true)?.message.contains("partitions() must return a list of tables, one per partition, got a number") == true)
    }
}
