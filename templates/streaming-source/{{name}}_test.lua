-- Tests for {{name}}.lua. Run them with `luaflow test`; `mock` is a real HTTP server on
-- 127.0.0.1. A registered list of responses is served in order, and the last one repeats.

local function feed(overrides)
  local config = { base_url = mock.url, poll_interval = 0.01 }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config)
end

local function events(...)
  return { json = { events = json.array({ ... }) } }
end

test("sends events as they arrive, asking for those after the last one", function()
  mock.get("/events", { events({ id = "e1" }, { id = "e2" }), events(), events({ id = "e3" }) })
  assert_eq(feed():read { max = 3 }, { { id = "e1" }, { id = "e2" }, { id = "e3" } })

  local requests = mock.requests("/events")
  assert_eq(#requests, 3)
  assert_nil(requests[1].query.after)
  assert_eq(requests[2].query.after, "e2")
  assert_eq(requests[3].query.after, "e2")                      -- the empty poll moved nothing
end)

test("max_idle_polls ends a quiet stream", function()
  mock.get("/events", { events({ id = "e1" }), events() })
  assert_eq(feed({ max_idle_polls = 2 }):read(), { { id = "e1" } })
  assert_eq(#mock.requests("/events"), 3)                       -- one with data, two empty
end)

test("start_after resumes from a known event", function()
  mock.get("/events", events())
  feed({ start_after = "e41", max_idle_polls = 1 }):read()
  assert_eq(mock.requests("/events")[1].query.after, "e41")
end)

test("sends the token as a bearer header", function()
  mock.get("/events", events())
  feed({ token = "t0ken-for-tests", max_idle_polls = 1 }):read()
  assert_eq(mock.requests("/events")[1].headers["authorization"], "Bearer t0ken-for-tests")
end)

test("a response without an events list is an error", function()
  mock.get("/events", { json = { data = json.array() } })
  assert_error(function() feed():read { max = 1 } end, "has no 'events' list")
end)

test("check() says why the feed refuses", function()
  mock.get("/events", { status = 401, body = "no token" })
  local ok, why = feed():check()
  assert_eq(ok, false)
  assert_true(why:find("401: no token", 1, true), why)
end)
