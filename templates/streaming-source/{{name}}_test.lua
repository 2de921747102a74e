-- Tests for {{name}}.lua. Run them with `luaflow test`; `mock` is a real HTTP server on
-- 127.0.0.1 that also streams Server-Sent Events (`sse = { ... }`) and accepts WebSockets
-- (`websocket = { ... }`). A registered list of responses is served in order, one per
-- connection, and the last one repeats; `ending = "drop"` cuts the connection after the events.

local function feed(overrides, opts)
  local config = { base_url = mock.url }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config, opts)
end

test("sends each event with its id and type", function()
  mock.get("/events", { sse = { { id = 1, data = { type = "click" } }, { id = 2, event = "view", data = { type = "view" } } } })
  assert_eq(feed():read { max = 2 }, {
    { id = 1, event = "message", type = "click" },
    { id = 2, event = "view", type = "view" },
  })
end)

test("reconnects after a lost connection, sending the last event id", function()
  mock.get("/events", {
    { sse = { { id = 1, retry = 10, data = { n = 1 } } }, ending = "drop" },   -- retry: reconnect after 10 ms
    { sse = { { id = 2, data = { n = 2 } } } },
  })
  assert_eq(feed():read { max = 2 }, { { id = 1, event = "message", n = 1 }, { id = 2, event = "message", n = 2 } })
  local requests = mock.requests("/events")
  assert_nil(requests[1].headers["last-event-id"])
  assert_eq(requests[2].headers["last-event-id"], "1")
end)

test("starts after the id the last run committed", function()
  mock.get("/events", { sse = { { id = 42, data = "plain text" } } })
  assert_eq(feed({}, { state = { cursor = 41 } }):read { max = 1 }, { { id = 42, event = "message", data = "plain text" } })
  assert_eq(mock.requests("/events")[1].headers["last-event-id"], "41")
end)

test("keeps only the configured event types", function()
  mock.get("/events", { sse = { { id = 1, event = "ping", data = "" }, { id = 2, event = "order", data = { total = 5 } } } })
  assert_eq(feed({ events = { "order" } }):read { max = 1 }, { { id = 2, event = "order", total = 5 } })
end)

test("sends the token as a bearer header", function()
  mock.get("/events", { sse = { { id = 1, data = "x" } } })
  feed({ token = "t0ken-for-tests" }):read { max = 1 }
  assert_eq(mock.requests("/events")[1].headers["authorization"], "Bearer t0ken-for-tests")
end)

test("a WebSocket feed subscribes on every connect and resumes from the cursor", function()
  mock.get("/ws", {
    { websocket = { { id = 1, type = "click" } }, ending = "drop" },
    { websocket = { { id = 2, type = "view" } }, ending = "drop" },
    { websocket = { { id = 3, type = "click" } } },
  })
  local records = feed({ transport = "websocket", path = "/ws", subscribe = { { op = "subscribe", topic = "clicks" } } }):read { max = 3 }
  assert_eq(#records, 3)
  assert_eq(records[2], { id = 2, event = "message", type = "view" })
  local connects, subscribed = {}, 0
  for _, r in ipairs(mock.requests("/ws")) do
    if r.method == "GET" then connects[#connects + 1] = r.query.cursor or "none" end
    if r.method == "WS" and r.json.op == "subscribe" then subscribed = subscribed + 1 end
  end
  assert_eq(connects, { "none", "1", "2" })
  assert_true(subscribed >= 2, "subscribed on the first two connects at least, got " .. subscribed)
end)

test("check() says why the feed refuses", function()
  mock.get("/events", { status = 401, body = "no token" })
  local ok, why = feed():check()
  assert_eq(ok, false)
  assert_true(why:find("401", 1, true), why)
end)
