import Foundation
import Testing

/// `luaflow test` end to end: the built binary on Lua test files in a temp directory.
@Suite struct TestCommandTests {
    static let usersConnector = """
    schema = {
      base_url = { type = "url", required = true },
      token = { type = "secret", required = true },
      page_size = { type = "integer", default = 2 },
    }
    cursor_field = "updated_at"
    local api
    function init()
      api = http.session { base_url = config.base_url, auth = { bearer = config.token },
                           retry = { max_attempts = 3, base_delay = 0.01 } }
    end
    function get(pagination, state)
      local body = api:get("/users", { query = { limit = config.page_size, cursor = pagination.cursor, since = state.cursor } }):json()
      return body.data, body.next ~= json.null and { cursor = body.next } or nil
    end
    """

    static let usersTest = """
    local function users(token)
      return connector("../connectors/users.lua", { base_url = mock.url, token = token or "t0ken" })
    end

    test("paginates until the last page", function()
      mock.get("/users", {
        { json = { data = { { id = 1 }, { id = 2 } }, next = "c2" } },
        { json = { data = { { id = 3 } }, next = json.null } },
      })
      assert_eq(users():read(), { { id = 1 }, { id = 2 }, { id = 3 } })
      local seen = mock.requests("/users")
      assert_eq(#seen, 2)
      assert_eq(seen[1].query, { limit = "2" })
      assert_eq(seen[2].query, { limit = "2", cursor = "c2" })
      assert_eq(seen[1].headers.authorization, "Bearer t0ken")
    end)

    test("retries a 500 then succeeds", function()
      mock.get("/users", { status = 500, body = "down" })
      mock.get("/users", { json = { data = { { id = 9 } }, next = json.null } })
      assert_eq(users():read(), { { id = 9 } })
      assert_eq(#mock.requests(), 2)
    end)

    test("passes the saved cursor and stops at max", function()
      mock.get("/users", {
        { json = { data = { { id = 1 }, { id = 2 } }, next = "a" } },
        { json = { data = { { id = 3 }, { id = 4 } }, next = "b" } },
      })
      local records = users():read { max = 3, state = { cursor = "2026-01-01" } }
      assert_eq(records, { { id = 1 }, { id = 2 }, { id = 3 } })
      assert_eq(#mock.requests(), 2)
      assert_eq(mock.requests()[1].query.since, "2026-01-01")
    end)

    test("config errors read like luaflow run", function()
      assert_error(function() connector("../connectors/users.lua", { base_url = "nope", token = "x" }) end,
        "config.base_url: expected an http(s) URL")
    end)
    """

    static func workspace() throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("connectors/users.lua", usersConnector)
        try dir.write("tests/users_test.lua", usersTest)
        try dir.write("connectors/tag.lua", """
        schema = { label = { type = "string", default = "x" } }
        function run(item)
          emit({ tag = config.label, id = item.id })
          if item.skip then return nil end
          return item
        end
        """)
        try dir.write("connectors/post.lua", """
        schema = { base_url = { type = "url", required = true } }
        local api
        function init() api = http.session { base_url = config.base_url, retry = { max_attempts = 3, base_delay = 0.01 } } end
        function write(batch) api:post("/events", { json = batch }) end
        function finalize() api:post("/done", { json = { ok = true } }) end
        function check()
          local res = api:get("/health", { raise = false })
          if res.status ~= 200 then return false, "health answered " .. res.status end
          return true
        end
        """)
        try dir.write("connectors/count.lua", """
        local n = 0
        function run(item) n = n + 1 end
        function finalize() emit({ total = n }); return { { done = true } } end
        """)
        try dir.write("tests/nodes_test.lua", """
        test("transform emits", function()
          local c = connector("../connectors/tag.lua", { label = "t" })
          assert_eq(c:run({ id = 1 }), { { tag = "t", id = 1 }, { id = 1 } })
          assert_eq(c:run({ id = 2, skip = true }), { { tag = "t", id = 2 } })
        end)

        test("sink writes batches", function()
          mock.post("/events", { status = 202 })
          mock.post("/done", { status = 204 })
          local c = connector("../connectors/post.lua", { base_url = mock.url, batch_size = 2 })
          c:write({ { id = 1 }, { id = 2 }, { id = 3 } })
          local posts = mock.requests("/events")
          assert_eq(#posts, 2)
          assert_eq(posts[1].json, { { id = 1 }, { id = 2 } })
          assert_eq(posts[2].json, { { id = 3 } })
          assert_eq(posts[1].headers["content-type"], "application/json")
          assert_eq(#mock.requests("/done"), 1)
        end)

        test("check and rate limits", function()
          local c = connector("../connectors/post.lua", { base_url = mock.url })
          mock.get("/health", { { status = 429, headers = { ["Retry-After"] = "0" } }, { status = 503 } })
          local ok, why = c:check()
          assert_eq({ ok, why }, { false, "health answered 503" })
          assert_eq(#mock.requests("/health"), 3)
        end)

        test("finalize flushes", function()
          local c = connector("../connectors/count.lua")
          assert_eq(c:run({ id = 1 }), {})
          c:run({ id = 2 })
          assert_eq(c:finalize(), { { total = 2 }, { done = true } })
        end)
        """)
        return dir
    }

    @Test func passingFilesPrintOkLinesAndExitZero() throws {
        let dir = try Self.workspace()
        let result = try LuaflowBinary.run(["test"], in: dir)
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        for name in ["paginates until the last page", "retries a 500 then succeeds", "passes the saved cursor and stops at max",
                     "config errors read like luaflow run"] {
            #expect(result.stdout.contains("ok    \(name)  (tests/users_test.lua)"))
        }
        #expect(result.stdout.contains("ok    transform emits  (tests/nodes_test.lua)"))
        #expect(result.stdout.contains("ok    sink writes batches  (tests/nodes_test.lua)"))
        #expect(result.stdout.hasSuffix("8 passed, 0 failed\n"))
    }

    @Test func aFailingAssertionShowsFileAndLineAndExitsOne() throws {
        let dir = try Self.workspace()
        try dir.write("tests/bad_test.lua", """
        test("fine", function() assert_eq(1, 1) end)

        test("wrong count", function()
          mock.get("/users", { json = { data = { { id = 1 } }, next = json.null } })
          local c = connector("../connectors/users.lua", { base_url = mock.url, token = "s3cret-token" })
          assert_eq(#c:read(), 2, "records")
        end)

        test("leaks no secret", function()
          assert_eq(connector("../connectors/users.lua", { base_url = mock.url, token = "s3cret-token" }).env.config.token, "other")
        end)
        """)
        let result = try LuaflowBinary.run(["test", "tests/bad_test.lua"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("ok    fine  (tests/bad_test.lua)"))
        #expect(result.stdout.contains("FAIL  wrong count  (tests/bad_test.lua)\n      tests/bad_test.lua:6: records: expected 2, got 1\n"))
        #expect(result.stdout.contains("FAIL  leaks no secret  (tests/bad_test.lua)\n      tests/bad_test.lua:10: expected \"other\", got \"***\""))
        #expect(!result.stdout.contains("s3cret-token"))
        #expect(result.stdout.hasSuffix("1 passed, 2 failed\n"))
    }

    @Test func aSyntaxErrorCountsAsAFailure() throws {
        let dir = try Self.workspace()
        try dir.write("tests/broken_test.lua", "test('x', function()\n  local = 1\nend)\n")
        let result = try LuaflowBinary.run(["test", "tests"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("FAIL  (loading the file)  (tests/broken_test.lua)\n      tests/broken_test.lua:2:"))
        #expect(result.stdout.hasSuffix("8 passed, 1 failed\n"))
    }

    @Test func quietShowsOnlyFailuresAndVerboseAddsTracebacks() throws {
        let dir = try Self.workspace()
        try dir.write("tests/nodes_test.lua", """
        test("passes", function() end)
        test("fails", function() local t = connector("../connectors/tag.lua"); t:run(nil) end)
        """)
        let quiet = try LuaflowBinary.run(["test", "-q", "tests/nodes_test.lua"], in: dir)
        #expect(quiet.exitCode == 1)
        #expect(quiet.stdout.hasPrefix("FAIL  fails  (tests/nodes_test.lua)\n      tests/../connectors/tag.lua:3: attempt to index a nil value"))
        #expect(!quiet.stdout.contains("ok    passes"))
        #expect(!quiet.stdout.contains("stack traceback"))
        #expect(quiet.stdout.hasSuffix("1 passed, 1 failed\n"))
        let verbose = try LuaflowBinary.run(["test", "-v", "tests/nodes_test.lua"], in: dir)
        #expect(verbose.stdout.contains("ok    passes  (tests/nodes_test.lua)"))
        #expect(verbose.stdout.contains("      stack traceback:\n"))
    }

    /// A source whose `init()` reads `state`: `luaflow test` with `connector(..., { state = ... })`
    /// gives it the state a real incremental run does, and the records match that run's.
    @Test func initReadsTheSameStateAsInARun() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("connectors/counter.lua", """
        schema = { upto = { type = "integer", default = 3 } }
        cursor_field = "n"
        local first
        function init() first = (state.cursor or 0) + 1 end
        function get(pagination, s)
          local n = pagination.n or first
          if n > config.upto then return nil end
          return { { n = n, after = s.last_run ~= nil } }, { n = n + 1 }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("connectors/counter.lua"), sink.stdout {} } }"#)
        let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(first.stdout == (1...3).map { #"{"after":false,"n":\#($0)}"# + "\n" }.joined(), "\(first.stderr)")
        let second = try LuaflowBinary.run(["run", "pipeline.lua", "-q", "--set", "counter.upto=5"], in: dir)
        #expect(second.stdout == #"{"after":true,"n":4}"# + "\n" + #"{"after":true,"n":5}"# + "\n", "\(second.stderr)")
        try dir.write("tests/counter_test.lua", """
        test("a first run", function()
          assert_eq(connector("../connectors/counter.lua"):read(), { { n = 1, after = false }, { n = 2, after = false }, { n = 3, after = false } })
        end)
        test("the next run", function()
          local c = connector("../connectors/counter.lua", { upto = 5 }, { state = { cursor = 3, last_run = "2026-11-30T08:00:00Z" } })
          assert_eq(c:read(), { { n = 4, after = true }, { n = 5, after = true } })
        end)
        """)
        let test = try LuaflowBinary.run(["test"], in: dir)
        #expect(test.exitCode == 0, "\(test.stdout)\(test.stderr)")
        #expect(test.stdout.hasSuffix("2 passed, 0 failed\n"))
    }

    @Test func usageErrorsExitTwo() throws {
        let dir = try LuaflowBinary.workspace()
        let missing = try LuaflowBinary.run(["test", "nope"], in: dir)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("nope: no such file or directory"))
        let none = try LuaflowBinary.run(["test"], in: dir)
        #expect(none.exitCode == 2)
        #expect(none.stderr.contains("no test files (*_test.lua) found"))
        let help = try LuaflowBinary.run(["test", "--help"])
        #expect(help.exitCode == 0)
        #expect(help.stdout.contains("Exit status"))
    }
}
