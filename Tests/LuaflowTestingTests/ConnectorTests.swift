import Testing
@testable import LuaflowTesting

@Suite struct ConnectorTests {
    @Test func transformsEmitAndConfigIsValidatedLikeARun() async throws {
        let files = try LuaTestFiles()
        try files.write("connectors/upper.lua", """
        schema = { suffix = { type = "string", default = "" }, min = { type = "integer", required = true } }
        local emit = emit
        function init() started = true end
        function run(item)
          if item.n < config.min then return nil end
          emit({ copy = true })
          return { name = item.name:upper() .. config.suffix }
        end
        function finalize() return { { done = true } } end
        """)
        try files.write("upper_test.lua", """
        test("emits and returns", function()
          local c = connector("connectors/upper.lua", { suffix = "!", min = 2 })
          assert_true(c.env.started)
          assert_eq(c:run({ name = "ada", n = 3 }), { { copy = true }, { name = "ADA!" } })
          assert_eq(c:run({ name = "bob", n = 1 }), {})
          assert_eq(c:finalize(), { { done = true } })
        end)
        test("config problems", function()
          assert_error(function() connector("connectors/upper.lua", { min = 1, bogus = 1 }) end, "unknown setting `bogus`")
          assert_error(function() connector("connectors/upper.lua", {}) end, "config.min: is required")
          assert_error(function() connector("connectors/missing.lua") end, "not found")
        end)
        """)
        let results = try await files.run("upper_test.lua")
        #expect(results["emits and returns"]?.failure == nil)
        #expect(results["config problems"]?.failure == nil)
    }

    @Test func theMockServesSequencesAndLogsRequests() async throws {
        let files = try LuaTestFiles()
        try files.write("mock_test.lua", """
        test("real http against the mock", function()
          mock.get("/items", { { status = 503, body = "busy" }, { json = { items = { 1, 2 } }, headers = { ["X-Req"] = "7" } } })
          local s = http.session { base_url = mock.url, retry = { max_attempts = 3, base_delay = 0.01 } }
          local r = s:get("/items", { query = { limit = 2 }, headers = { ["X-Token"] = "abc" } })
          assert_eq(r.status, 200)
          assert_eq(r:json(), { items = { 1, 2 } })
          local seen = mock.requests("/items")
          assert_eq(#seen, 2)
          assert_eq(seen[2].query, { limit = "2" })
          assert_eq(seen[2].headers["x-token"], "abc")
          assert_eq(seen[2].method, "GET")
          local again = s:get("/items")
          assert_eq(again.status, 200)
        end)
        test("reset between tests and 404 for unknown paths", function()
          assert_eq(#mock.requests(), 0)
          local s = http.session { base_url = mock.url }
          local err = assert_error(function() s:get("/nothing") end, "404")
          mock.post("/echo", { status = 201, json = { ok = true } })
          local r = s:post("/echo", { json = { name = "ada" } })
          assert_eq(r.status, 201)
          assert_eq(mock.requests("/echo")[1].json, { name = "ada" })
        end)
        """)
        let results = try await files.run("mock_test.lua")
        #expect(results["real http against the mock"]?.failure == nil)
        #expect(results["reset between tests and 404 for unknown paths"]?.failure == nil)
    }

    @Test func filesResolveFromTheTestDirectoryInsideTheSandbox() async throws {
        let files = try LuaTestFiles()
        try files.write("outside.txt", "secret")
        try files.write("tests/fixtures/page.json", #"{"data":[{"id":1}]}"#)
        try files.write("tests/files_test.lua", """
        test("fixtures", function()
          local f = assert(io.open("fixtures/page.json"))
          mock.get("/page", { body = f:read("a"), headers = { ["Content-Type"] = "application/json" } })
          f:close()
          local page = http.session({ base_url = mock.url }):get("/page"):json()
          assert_eq(page.data, { { id = 1 } })
        end)
        test("sandboxed", function()
          local f, why = io.open("../outside.txt")
          assert_nil(f)
          assert_true(why:find("access denied", 1, true))
          assert_nil(os.execute)
        end)
        """)
        let results = try await files.run("tests/files_test.lua")
        #expect(results["fixtures"]?.failure == nil)
        #expect(results["sandboxed"]?.failure == nil)
    }
}
