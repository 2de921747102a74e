-- {{name}}: a sink that POSTs each record to a REST API as JSON, the way webhooks and
-- "create" endpoints take them.
--
-- Each record carries its own Idempotency-Key header, so the host may safely retry a POST after
-- a 429, a 5xx or a lost connection: an API that honours the key applies it once. A record that
-- still fails stops the run, or with on_error = "skip" is counted as an error and skipped.
-- For an API that takes many records per request, start from the batch-writer-sink template
-- (write(batch)) or use the built-in sink.http.

schema = {
  base_url = { type = "url", default = "https://api.example.com/v1", description = "API root" },
  path     = { type = "string", default = "/items", description = "the endpoint records are POSTed to" },
  token    = { type = "secret", env = "{{NAME}}_TOKEN", description = "bearer token (leave unset for an open endpoint)" },
  method   = { type = "enum", values = { "POST", "PUT", "PATCH" }, default = "POST" },
  requests_per_second = { type = "integer", default = 10, min = 1 },
}

local client
posted = 0          -- a global, so tests can read it

-- init(): one session for the run; auth, retries with backoff and the rate limit live here.
function init()
  client = http.session {
    base_url = config.base_url,
    auth = config.token and { bearer = config.token } or nil,
    rate_limit = { requests = config.requests_per_second, per = 1 },
    retry = { max_attempts = 5, max_delay = 30 },
  }
end

-- check(): is the endpoint there and are the credentials accepted? Returns true, or false and
-- why. It sends OPTIONS, which changes nothing; an API that does not implement it answers
-- 404/405 for the method, which still proves the server and the credentials.
function check()
  local ok, res = pcall(client.request, client, "OPTIONS", config.path, { raise = false })
  if not ok then return false, tostring(res) end
  if res.status == 401 or res.status == 403 or res.status >= 500 then
    return false, ("OPTIONS %s answered %d: %s"):format(config.path, res.status, res.body:sub(1, 200))
  end
  return true
end

-- run(item): sends one record. The response is checked by the host: a status of 400 or more
-- (after the retries) raises an error naming the request, the status and the response body.
function run(item)
  client:request(config.method, config.path, {
    json = item,                                                -- CHANGE: wrap it if your API wants { "data": item }
    headers = { ["Idempotency-Key"] = http.idempotency_key() },  -- one key per record, reused by retries
  })
  posted = posted + 1
end

-- finalize(): called once after the last record, when the run has not failed.
function finalize()
  log.info("sent", posted, "records to", config.path)
end
