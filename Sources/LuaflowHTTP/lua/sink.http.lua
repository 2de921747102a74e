-- sink.http: posts records as JSON arrays of `batch_size`; each batch carries the Idempotency-Key
-- the host derives from its position in the run, the same across its retries and after a resume,
-- so the API can drop a batch it already has.
schema = {
  url        = { type = "url", required = true, description = "where batches are sent" },
  method     = { type = "enum", values = { "POST", "PUT", "PATCH" }, default = "POST" },
  headers    = http.schema.session.headers,
  auth       = http.schema.auth,
  retry      = http.schema.retry,
  rate_limit = http.schema.rate_limit,
  timeout    = http.schema.timeout,
  insecure   = http.schema.session.insecure,
}

local session

function init()
  session = http.session {
    headers = config.headers, auth = config.auth, retry = config.retry, rate_limit = config.rate_limit,
    timeout = config.timeout, insecure = config.insecure,
  }
end

function write(batch, info)
  session:request(config.method, config.url, {
    json = json.array(batch),
    headers = { ["Idempotency-Key"] = info.key },
  })
end

-- luaflow check: every request this sink makes writes records, so it makes none, and says so.
function check()
  return true, "not contacted: every request of sink.http writes records"
end
