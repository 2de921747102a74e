-- source.http: pages through an endpoint with a host-side paginator and emits the records of
-- each page; written in Lua on top of the `http` module, run like a user script.
schema = {
  base_url     = { type = "url", required = true, description = "the API's base URL" },
  path         = { type = "string", default = "", description = "endpoint path, joined to base_url" },
  params       = { type = "table", description = "query parameters sent with every page" },
  headers      = http.schema.session.headers,
  auth         = http.schema.auth,
  paginator    = http.schema.paginator,
  records_path = { type = "string", description = "where the records are in each page's body, e.g. data.items" },
  retry        = http.schema.retry,
  rate_limit   = http.schema.rate_limit,
  timeout      = http.schema.timeout,
  insecure     = http.schema.session.insecure,
  concurrency  = { type = "integer", min = 1, default = 1,
                   description = "pages in flight at once when the paginator knows them ahead (offset with total_path, page with total_pages_path); records keep their order" },
  incremental  = { type = "table", description = "fetch only records newer than the last run's",
    fields = {
      cursor_field = { type = "string", required = true, description = "the record field to track" },
      cursor_param = { type = "string", required = true, description = "the query parameter to send it as" },
      initial_value = { any_of = { { type = "string" }, { type = "number" } }, description = "the value sent on the first run" },
      lag = { type = "number", min = 0, description = "re-read this much before the cursor: seconds, or units of a numeric cursor" },
    } },
}

local session, pages
local incremental = config.incremental
if type(incremental) == "table" then cursor_field = incremental.cursor_field end

-- Days since 1970-01-01 of a civil date (proleptic Gregorian).
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (m + (m > 2 and -3 or 9)) + 2) // 5 + d - 1
  return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = (z >= 0 and z or z - 146096) // 146097
  local doe = z - era * 146097
  local yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
  local doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
  local mp = (5 * doy + 2) // 153
  local d = doy - (153 * mp + 2) // 5 + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return yoe + era * 400 + (m <= 2 and 1 or 0), m, d
end

-- The cursor moved back by `lag`: numbers directly, ISO-8601 UTC timestamps by seconds.
local function lagged(value, lag)
  if lag == nil or lag == 0 then return value end
  if type(value) == "number" then return value - lag end
  local y, mo, d, h, mi, s, rest = tostring(value):match("^(%d%d%d%d)-(%d%d)-(%d%d)[T ](%d%d):(%d%d):(%d%d)(.*)$")
  if y == nil then
    error("incremental.lag needs a numeric cursor or an ISO-8601 timestamp, got '" .. tostring(value) .. "'", 0)
  end
  local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(s) - lag
  local ny, nm, nd = civil_from_days(t // 86400)
  local sec = t % 86400
  return ("%04d-%02d-%02dT%02d:%02d:%02d"):format(ny, nm, nd, sec // 3600, sec % 3600 // 60, sec % 60) .. rest:gsub("^%.%d+", "")
end

function init()
  session = http.session {
    base_url = config.base_url, headers = config.headers, auth = config.auth, retry = config.retry,
    rate_limit = config.rate_limit, timeout = config.timeout, insecure = config.insecure,
  }
end

function get(pagination, state)
  if pages == nil then
    local query = {}
    for k, v in pairs(config.params or {}) do query[k] = v end
    if incremental ~= nil then
      -- The lag re-reads records that arrive late; the initial value is used as given.
      local since = incremental.initial_value
      if state.cursor ~= nil then since = lagged(state.cursor, incremental.lag) end
      if since ~= nil then query[incremental.cursor_param] = tostring(since) end
    end
    pages = session:paginate {
      path = config.path, query = query, paginator = config.paginator, records_path = config.records_path,
      resume = pagination.next, concurrency = config.concurrency,
    }
  end
  local records, next
  if incremental == nil then
    records, next = pages:next_records() -- straight from the body to the pipeline, never decoded
  else
    local page = pages() -- decoded: the cursor field is read from every record
    if page ~= nil then records, next = page.records, page.next end
  end
  if records == nil then return nil, nil end
  return records, next and { next = next }
end
