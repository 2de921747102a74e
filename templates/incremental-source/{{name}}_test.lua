-- Tests for {{name}}.lua. Run them with `luaflow test`; `mock` is a real HTTP server on
-- 127.0.0.1. `read { state = ... }` plays a later run, as the host would.

local function api(overrides)
  local config = { base_url = mock.url }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config)
end

local A = { id = 1, updated_at = "2024-05-01T10:00:00Z" }
local B = { id = 2, updated_at = "2024-05-02T09:30:00Z" }
local C = { id = 3, updated_at = "2024-05-03T08:15:00Z" }

test("declares the cursor field", function()
  assert_eq(api().env.cursor_field, "updated_at")
end)

test("the first run reads every page, with no filter", function()
  mock.get("/items", {
    { json = { data = { A, B }, has_more = true } },
    { json = { data = { C }, has_more = false } },
  })
  assert_eq(api():read(), { A, B, C })

  local requests = mock.requests("/items")
  assert_eq(#requests, 2)
  assert_nil(requests[1].query.updated_since)
  assert_eq(requests[1].query.page, "1")
  assert_eq(requests[2].query.page, "2")
  assert_eq(requests[2].query.sort, "updated_at")
end)

test("a later run asks only for what changed since the cursor", function()
  mock.get("/items", { json = { data = { B, C }, has_more = false } })
  local records = api():read { state = { cursor = B.updated_at, last_run = "2024-05-02T12:00:00Z" } }
  assert_eq(records, { C })                                      -- B was delivered last time
  assert_eq(mock.requests("/items")[1].query.updated_since, B.updated_at)
end)

test("start_date limits the first run", function()
  mock.get("/items", { json = { data = { B, C }, has_more = false } })
  assert_eq(api({ start_date = "2024-05-02T00:00:00Z" }):read(), { B, C })
  assert_eq(mock.requests("/items")[1].query.updated_since, "2024-05-02T00:00:00Z")
end)

test("sends the token as a bearer header", function()
  mock.get("/items", { json = { data = json.array(), has_more = false } })
  api({ token = "t0ken-for-tests" }):read()
  assert_eq(mock.requests("/items")[1].headers["authorization"], "Bearer t0ken-for-tests")
end)

test("check() says why the API refuses", function()
  mock.get("/items", { status = 403, json = { error = "forbidden" } })
  local ok, why = api():check()
  assert_eq(ok, false)
  assert_true(why:find("403", 1, true), why)
end)

test("a malformed start_date is a config error", function()
  assert_error(function() api({ start_date = "yesterday" }) end, "config.start_date")
end)
