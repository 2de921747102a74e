import Testing
@testable import LuaflowTesting

/// `connector()` gives a script the global `state` a run gives it, so `init()` can read it, and
/// `c:read()` walks a partitioned source as a run does.
@Suite struct ConnectorStateTests {
    @Test func initReadsStateAsInARun() async throws {
        let files = try LuaTestFiles()
        try files.write("connectors/since.lua", """
        cursor_field = "n"
        local since
        function init() since = state.cursor or 0 end
        function get(pagination, s)
          local n = pagination.n or since + 1
          if n > since + 2 then return nil end
          return { { n = n, same = s == state } }, { n = n + 1 }
        end
        """)
        try files.write("since_test.lua", """
        test("a first run", function()
          local c = connector("connectors/since.lua")
          assert_eq(c.env.state, {})
          assert_eq(c:read(), { { n = 1, same = true }, { n = 2, same = true } })
        end)
        test("an incremental run", function()
          local c = connector("connectors/since.lua", {}, { state = { cursor = 5, last_run = "2026-11-29T00:00:00Z" } })
          assert_eq(c:read(), { { n = 6, same = true }, { n = 7, same = true } })
          assert_eq(c.env.state.last_run, "2026-11-29T00:00:00Z")
        end)
        test("bad opts", function()
          assert_error(function() connector("connectors/since.lua", {}, 3) end, "opts must be a table, got number")
        end)
        """)
        let results = try await files.run("since_test.lua")
        for name in ["a first run", "an incremental run", "bad opts"] {
            #expect(results[name]?.failure == nil, "\(name): \(results[name]?.failure ?? "missing")")
        }
    }

    @Test func readWalksPartitionsInOrder() async throws {
        let files = try LuaTestFiles()
        try files.write("connectors/accounts.lua", """
        function partitions() return { { account = "a" }, { account = "b" } } end
        function get(pagination, state)
          local page = pagination.page or 1
          if page > 2 then return nil end
          return { { account = state.partition.account, page = page, cursor = state.cursor } }, { page = page + 1 }
        end
        """)
        try files.write("accounts_test.lua", """
        test("partitions", function()
          local c = connector("connectors/accounts.lua", {}, { state = { cursor = 1 } })
          assert_eq(c:read(), {
            { account = "a", page = 1, cursor = 1 }, { account = "a", page = 2, cursor = 1 },
            { account = "b", page = 1, cursor = 1 }, { account = "b", page = 2, cursor = 1 },
          })
          assert_eq(#c:read { max = 3 }, 3)
        end)
        """)
        let results = try await files.run("accounts_test.lua")
        #expect(results["partitions"]?.failure == nil, "\(results["partitions"]?.failure ?? "missing")")
    }
}
