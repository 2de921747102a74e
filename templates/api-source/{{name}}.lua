-- {{name}}: reads every record of a REST API endpoint, one page per get() call.
--
-- The API this template expects (change the marked lines for yours):
--   GET <base_url><path>?limit=100&cursor=<cursor>
--   -> { "data": [ {...}, ... ], "next_cursor": "abc" }      next_cursor null or absent: last page
--
-- The host does the hard parts: retries with backoff (and Retry-After) on 429/5xx and lost
-- connections, the rate limit, timeouts, and redacting the token from every log line and error.

-- Settings, validated before any request. `--set {{name}}.page_size=50` overrides one.
schema = {
  base_url  = { type = "url", default = "https://api.example.com/v1", description = "API root" },
  path      = { type = "string", default = "/items", description = "the endpoint that lists records" },
  -- A secret: read from the environment variable when the config has none, shown as *** in logs.
  token     = { type = "secret", env = "{{NAME}}_TOKEN", description = "bearer token (leave unset for a public API)" },
  page_size = { type = "integer", default = 100, min = 1, max = 1000 },
  requests_per_second = { type = "integer", default = 10, min = 1 },
}

local client

-- init(): runs once, after config validation and before the first get(). One session serves
-- every request of the run: base URL, auth, retries and rate limit are set here once.
function init()
  client = http.session {
    base_url = config.base_url,
    headers = { Accept = "application/json" },
    auth = config.token and { bearer = config.token } or nil,
    rate_limit = { requests = config.requests_per_second, per = 1 },
    retry = { max_attempts = 5 },
  }
end

-- check(): can we reach the endpoint with these credentials? Returns true, or false and why.
-- A page of one record is the cheapest call that proves both.
function check()
  local ok, res = pcall(client.get, client, config.path, { query = { limit = 1 }, raise = false })
  if not ok then return false, tostring(res) end                 -- unreachable, timeout, TLS
  if not res.ok then
    return false, ("GET %s answered %d: %s"):format(config.path, res.status, res.body:sub(1, 200))
  end
  return true
end

-- get(pagination, state): one page per call. `pagination` is {} on the first call, then the
-- table the previous call returned. Return the page's records and the next pagination, or
-- nil as next when this was the last page.
function get(pagination)
  local body = client:get(config.path, {
    query = { limit = config.page_size, cursor = pagination.cursor },  -- a nil cursor is not sent
  }):json()

  local records = body.data                                      -- CHANGE: where your API puts records
  if type(records) ~= "table" then
    error(("GET %s: the response has no 'data' list (is path the list endpoint?)"):format(config.path))
  end

  local cursor = body.next_cursor                                -- CHANGE: your API's next-page token
  if cursor == nil or cursor == json.null or cursor == "" or #records == 0 then
    return records, nil                                          -- the last page
  end
  return records, { cursor = cursor }
end
