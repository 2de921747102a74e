-- {{name}}: an incremental API source. The first run reads everything; each later run asks
-- the API only for records changed since the newest one already delivered.
--
-- The API this template expects (change the marked lines for yours):
--   GET <base_url><path>?updated_since=<cursor>&page=1&per_page=100
--   -> { "data": [ { "id": 1, "updated_at": "2024-05-01T10:00:00Z", ... } ], "has_more": true }
--
-- How incremental sync works (the host's state contract): `cursor_field` names the record field
-- that grows when a record changes; the host keeps the largest value of it from committed runs
-- and passes it to the next run as state.cursor (kept in .luaflow/state.db beside the pipeline).
-- The first run, or one after --full-refresh, has no cursor: start_date limits what is fetched.

-- The field the host tracks. ISO-8601 UTC timestamps compare correctly as strings.
cursor_field = "updated_at"                                      -- CHANGE: your API's field

schema = {
  base_url   = { type = "url", default = "https://api.example.com/v1", description = "API root" },
  path       = { type = "string", default = "/items", description = "the endpoint that lists records" },
  token      = { type = "secret", env = "{{NAME}}_TOKEN", description = "bearer token (leave unset for a public API)" },
  per_page   = { type = "integer", default = 100, min = 1, max = 1000 },
  start_date = { type = "string", pattern = "^%d%d%d%d%-%d%d%-%d%d",
                 description = "first run only: skip records older than this (e.g. 2024-01-01T00:00:00Z)" },
}

local client

-- init(): one session for the run; auth, retries and rate limiting are the host's job.
function init()
  client = http.session {
    base_url = config.base_url,
    headers = { Accept = "application/json" },
    auth = config.token and { bearer = config.token } or nil,
    rate_limit = { requests = 10, per = 1 },
  }
end

-- check(): can we reach the endpoint with these credentials? Returns true, or false and why.
function check()
  local ok, res = pcall(client.get, client, config.path, { query = { per_page = 1 }, raise = false })
  if not ok then return false, tostring(res) end
  if not res.ok then
    return false, ("GET %s answered %d: %s"):format(config.path, res.status, res.body:sub(1, 200))
  end
  return true
end

-- get(pagination, state): one page per call.
--   pagination  {} on the first call, then what the previous call returned as next.
--   state       state.cursor: the largest `cursor_field` value of earlier runs (nil on the
--               first run); state.last_run: when the last successful run started (ISO-8601).
function get(pagination, state)
  local since = state.cursor or config.start_date                -- nil: a full sync
  local page = pagination.page or 1
  local body = client:get(config.path, {
    query = {
      updated_since = since,                                     -- CHANGE: your API's filter parameter
      sort = cursor_field,                                       -- oldest first, so a failed run loses nothing
      page = page,
      per_page = config.per_page,
    },
  }):json()

  local records = body.data                                      -- CHANGE: where your API puts records
  if type(records) ~= "table" then
    error(("GET %s: the response has no 'data' list (is path the list endpoint?)"):format(config.path))
  end

  -- Most APIs treat updated_since as ">=", so the newest record of the last run comes back
  -- once more. Keep only what is strictly newer than the cursor.
  local fresh = {}
  for _, record in ipairs(records) do
    local value = record[cursor_field]
    if since == nil or (type(value) == "string" and value > since) then
      fresh[#fresh + 1] = record
    end
  end

  if body.has_more ~= true or #records == 0 then                 -- CHANGE: your API's end signal
    return fresh, nil
  end
  return fresh, { page = page + 1 }
end
