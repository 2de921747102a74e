-- {{name}}: a streaming source. It follows a live feed, Server-Sent Events (the default) or a
-- WebSocket, and sends each event as it arrives, for as long as the run lasts.
--
-- The feed this template expects (change the marked lines for yours):
--   sse:        GET <base_url><path>  (Accept: text/event-stream)
--               id: 17
--               data: { "type": "click", ... }
--   websocket:  <base_url><path> as ws(s)://, one JSON message per event: { "id": 17, ... }
--
-- What ends it: `lifetime` (seconds) or `max_items` in the node's config, `--limit`, Ctrl-C or
-- SIGTERM, or the server ending the feed (an SSE server answering 204). Lost connections are
-- not an end: the host reconnects, sending the last event id (SSE's Last-Event-ID, or the
-- WebSocket's `cursor` query parameter) so the server replays what was missed.

schema = {
  base_url  = { type = "url", default = "https://stream.example.com/v1", description = "API root" },
  path      = { type = "string", default = "/events", description = "the feed endpoint" },
  transport = { type = "enum", values = { "sse", "websocket" }, default = "sse", description = "how the feed is served" },
  token     = { type = "secret", env = "{{NAME}}_TOKEN", description = "bearer token (leave unset for a public feed)" },
  events    = { type = "array", items = { type = "string" }, description = "SSE event types to keep (default: every type)" },
  subscribe = { type = "array", description = "websocket: messages sent after every connect (tables go as JSON)" },
}

-- The host keeps the largest id committed and hands it back as `state.cursor`: a restart, even
-- after kill -9, starts after it. Ids must grow (numbers or ISO-8601 timestamps), as most do.
cursor_field = "id"                                             -- CHANGE: your feed's event id field

local client, feed, keep

function init()
  client = http.session {
    base_url = config.base_url,
    auth = config.token and { bearer = config.token } or nil,
    timeout = { read = 90 },                    -- the longest silence before reconnecting
  }
  if config.events then
    keep = {}
    for _, name in ipairs(config.events) do keep[name] = true end
  end
end

-- One record per event: the event's JSON data, with its id and type.
local function record(data, id, event)
  local r = type(data) == "table" and data or { data = data }
  r.id = tonumber(id) or id                                     -- CHANGE: how your ids compare
  r.event = event
  return r
end

local function open()
  if config.transport == "websocket" then
    return client:websocket(config.path, {
      subscribe = config.subscribe,
      cursor = { field = "id", param = "cursor", value = state.cursor },   -- CHANGE: your feed's resume parameter
    })
  end
  return client:sse(config.path, { last_event_id = state.cursor })
end

-- check(): can we open the feed with these credentials? Returns true, or false and why.
function check()
  local ok, opened = pcall(open)
  if not ok then return false, tostring(opened) end
  opened:close()
  return true
end

-- run(): returns the next event, waiting until one arrives. Returning nil ends the source.
function run()
  feed = feed or open()
  if config.transport == "websocket" then
    local message = feed:receive()                              -- nil once the run's lifetime is over
    if message == nil then return nil end
    return record(message, type(message) == "table" and message.id or nil, "message")
  end
  for event in feed do                                          -- ends when the server ends the feed
    if keep == nil or keep[event.event] then return record(event.data, event.id, event.event) end
  end
  return nil
end
