-- {{name}}: a streaming source. It polls an event feed and sends each event as it arrives,
-- for as long as the run lasts.
--
-- The feed this template expects (change the marked lines for yours):
--   GET <base_url><path>?after=<id of the last event seen>&limit=100
--   -> { "events": [ { "id": "e1", ... }, ... ] }               an empty list: nothing new yet
--
-- What ends it: `lifetime` (seconds) or `max_items` in the node's config, `--limit`, Ctrl-C,
-- or max_idle_polls empty polls in a row. lifetime and max_items are checked between events,
-- so on a quiet feed it is max_idle_polls that stops the run.

schema = {
  base_url      = { type = "url", default = "https://stream.example.com/v1", description = "API root" },
  path          = { type = "string", default = "/events", description = "the feed endpoint" },
  token         = { type = "secret", env = "{{NAME}}_TOKEN", description = "bearer token (leave unset for a public feed)" },
  page_size     = { type = "integer", default = 100, min = 1, max = 1000 },
  poll_interval = { type = "number", default = 1, min = 0.01, description = "seconds between polls" },
  max_idle_polls = { type = "integer", default = 0, min = 0, description = "stop after this many empty polls in a row (0: never)" },
  start_after   = { type = "string", description = "the id of the event to start after (default: the start of the feed)" },
}

local client
local pending, next_index = {}, 1       -- events fetched but not sent yet
local last_id                           -- the id of the last event sent
local idle_polls = 0

-- init(): one session for the run. The rate limit paces the polls: the host waits, on this
-- node's thread only, so the script never sleeps.
function init()
  client = http.session {
    base_url = config.base_url,
    headers = { Accept = "application/json" },
    auth = config.token and { bearer = config.token } or nil,
    rate_limit = { requests = 1, per = config.poll_interval },
  }
  last_id = config.start_after
end

-- check(): can we reach the feed with these credentials? Returns true, or false and why.
function check()
  local ok, res = pcall(client.get, client, config.path, { query = { limit = 1 }, raise = false })
  if not ok then return false, tostring(res) end
  if not res.ok then
    return false, ("GET %s answered %d: %s"):format(config.path, res.status, res.body:sub(1, 200))
  end
  return true
end

-- One poll: the events after last_id (possibly none).
local function poll()
  local body = client:get(config.path, { query = { after = last_id, limit = config.page_size } }):json()
  local events = body.events                                    -- CHANGE: where your feed puts events
  if type(events) ~= "table" then
    error(("GET %s: the response has no 'events' list (is path the feed endpoint?)"):format(config.path))
  end
  return events
end

-- run(): returns the next event, polling until one arrives. Returning nil ends the source.
function run()
  while next_index > #pending do
    pending, next_index = poll(), 1
    if #pending == 0 then
      idle_polls = idle_polls + 1
      if config.max_idle_polls > 0 and idle_polls >= config.max_idle_polls then
        log.info("no new events after", idle_polls, "polls; stopping")
        return nil
      end
    else
      idle_polls = 0
    end
  end
  local event = pending[next_index]
  next_index = next_index + 1
  last_id = event.id                                            -- CHANGE: your feed's event id field
  return event
end
