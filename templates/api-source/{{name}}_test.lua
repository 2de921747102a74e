-- Tests for {{name}}.lua. Run them with `luaflow test`: `mock` is a real HTTP server on
-- 127.0.0.1, so the connector's whole http path (auth, retries, paging) runs for real.

local function api(overrides)
  local config = { base_url = mock.url }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config)
end

test("reads every page until next_cursor is null", function()
  mock.get("/items", {
    { json = { data = { { id = 1 }, { id = 2 } }, next_cursor = "c2" } },
    { json = { data = { { id = 3 } }, next_cursor = json.null } },
  })
  assert_eq(api():read(), { { id = 1 }, { id = 2 }, { id = 3 } })

  local requests = mock.requests("/items")
  assert_eq(#requests, 2)
  assert_eq(requests[1].query, { limit = "100" })                -- no cursor on the first page
  assert_eq(requests[2].query, { limit = "100", cursor = "c2" })
end)

test("sends page_size and the token", function()
  mock.get("/items", { json = { data = json.array() } })
  api({ page_size = 25, token = "t0ken-for-tests" }):read()
  local request = mock.requests("/items")[1]
  assert_eq(request.query.limit, "25")
  assert_eq(request.headers["authorization"], "Bearer t0ken-for-tests")
end)

test("retries a 503 and carries on", function()
  mock.get("/items", { { status = 503 }, { json = { data = { { id = 1 } } } } })
  assert_eq(api():read(), { { id = 1 } })
  assert_eq(#mock.requests("/items"), 2)
end)

test("a response without a data list is an error", function()
  mock.get("/items", { json = { items = json.array() } })
  assert_error(function() api():read() end, "has no 'data' list")
end)

test("check() says why the API refuses", function()
  mock.get("/items", { status = 401, json = { error = "bad token" } })
  local ok, why = api():check()
  assert_eq(ok, false)
  assert_true(why:find("401", 1, true), why)
end)

test("check() passes when the endpoint answers", function()
  mock.get("/items", { json = { data = json.array() } })
  assert_eq(api():check(), true)
end)

test("a bad page_size is a config error", function()
  assert_error(function() api({ page_size = 0 }) end, "config.page_size")
end)
