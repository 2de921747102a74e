-- Tests for {{name}}.lua. Run them with `luaflow test`; `mock` is a real HTTP server on
-- 127.0.0.1 that records every request it receives.

local function poster(overrides)
  local config = { base_url = mock.url }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config)
end

test("POSTs each record as JSON", function()
  mock.post("/items", { status = 201, json = { ok = true } })
  local sink = poster()
  sink:write({ { id = 1, name = "Ada" }, { id = 2, tags = json.array() } })

  local requests = mock.requests("/items")
  assert_eq(#requests, 2)
  assert_eq(requests[1].method, "POST")
  assert_eq(requests[1].json, { id = 1, name = "Ada" })
  assert_eq(requests[2].body, '{"id":2,"tags":[]}')
  assert_eq(sink.env.posted, 2)
end)

test("every record gets its own Idempotency-Key, kept across a retry", function()
  mock.post("/items", { { status = 503 }, { status = 201 } })
  poster():write({ { id = 1 } })
  local requests = mock.requests("/items")
  assert_eq(#requests, 2)                                        -- retried: the key makes it safe
  local key = requests[1].headers["idempotency-key"]
  assert_true(key ~= nil and key ~= "", "no Idempotency-Key")
  assert_eq(requests[2].headers["idempotency-key"], key)
end)

test("a rejected record is an error that names the status", function()
  mock.post("/items", { status = 422, json = { error = "name is required" } })
  assert_error(function() poster():run({ id = 1 }) end, "422")
end)

test("method and token are used", function()
  mock.put("/items", { status = 200 })
  poster({ method = "PUT", token = "t0ken-for-tests" }):run({ id = 1 })
  assert_eq(mock.requests("/items")[1].headers["authorization"], "Bearer t0ken-for-tests")
end)

test("check() fails on refused credentials and passes otherwise", function()
  mock.route("OPTIONS", "/items", { { status = 401, body = "bad token" }, { status = 405 } })
  local sink = poster()
  local ok, why = sink:check()
  assert_eq(ok, false)
  assert_true(why:find("401", 1, true), why)
  assert_eq(sink:check(), true)                                  -- 405: there, method not allowed
end)
