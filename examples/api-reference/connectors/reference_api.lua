-- Acme API source: the reference connector.
--
-- A Lua port of bizon's annotated reference connector. One script serves several streams
-- (API resources); config.stream picks one. It shows what a production connector needs:
--
--   * a schema that rejects bad config before any request (stream names, page size limits,
--     credentials from config or environment variables, redacted as secrets);
--   * one http.session built in init(): base URL, API version header, auth, retries with
--     backoff and Retry-After, a rate limit and timeouts, all handled by the host;
--   * check(): a cheap authenticated call that says what is wrong in words;
--   * count(): the total number of records, when the API reports one (for progress and ETA);
--   * get(pagination, state): one page per call, with the three pagination patterns APIs use
--     (a cursor, a page number, a next URL), stopping exactly after the last page.
--
-- Pagination is written out by hand here so every step is visible. When an endpoint fits one of
-- the host's paginators, session:paginate (see examples/multi-endpoint) or source.http does
-- the same in one line.

-- ============================================================================================
-- STREAMS
-- ============================================================================================
-- One entry per API resource. The names are the values config.stream accepts (the schema's enum
-- is built from this list); fetch is the function that reads one page of that stream.
local STREAM_NAMES = { "customers", "orders", "products" }

-- ============================================================================================
-- CONFIG SCHEMA
-- ============================================================================================
-- Validated by the host after this file's top level runs and before init(). Every problem of
-- every node is reported together, naming the field, and nothing is fetched.
schema = {
  base_url  = { type = "url", required = true, description = "API root, e.g. https://api.acme.example/v2" },
  stream    = { type = "enum", values = STREAM_NAMES, required = true, description = "which resource to read" },
  -- The API serves at most 250 records per page; more is a 400 from the server. Checking it
  -- here turns a failure in the middle of a run into a config error before the run.
  page_size = { type = "integer", default = 100, min = 1, max = 250 },

  -- Authentication: auth_type chooses the mode; each mode reads its own fields. Secrets can sit
  -- in the config, but belong in environment variables: `env` reads them when the config has no
  -- value, and type "secret" replaces the value by *** in every log line and error message.
  auth_type      = { type = "enum", values = { "api_key", "bearer", "basic" }, default = "api_key" },
  api_key        = { type = "secret", env = "ACME_API_KEY", description = "for auth_type = \"api_key\"" },
  api_key_header = { type = "string", default = "X-API-Key", description = "the header that carries the API key" },
  token          = { type = "secret", env = "ACME_TOKEN", description = "for auth_type = \"bearer\"" },
  username       = { type = "string", env = "ACME_USERNAME", description = "for auth_type = \"basic\"" },
  password       = { type = "secret", env = "ACME_PASSWORD", description = "for auth_type = \"basic\"" },

  -- Politeness and resilience. The defaults suit most APIs; lower the rate for strict quotas.
  api_version         = { type = "string", default = "2024-01-15", description = "sent as X-API-Version" },
  requests_per_second = { type = "integer", default = 10, min = 1, max = 1000 },
  max_attempts        = { type = "integer", default = 5, min = 1, max = 10, description = "tries per request, retries included" },
}

-- Which config fields each auth mode needs, and the environment variable that can supply each.
local AUTH_FIELDS = {
  api_key = { { "api_key", "ACME_API_KEY" } },
  bearer  = { { "token", "ACME_TOKEN" } },
  basic   = { { "username", "ACME_USERNAME" }, { "password", "ACME_PASSWORD" } },
}

-- The `auth` table of http.session for the configured mode.
local function auth_table()
  local mode = config.auth_type
  for _, field in ipairs(AUTH_FIELDS[mode]) do
    local name, env = field[1], field[2]
    if config[name] == nil or config[name] == "" then
      error(("auth_type = %q needs %s: set it in the config or the environment variable %s"):format(mode, name, env), 0)
    end
  end
  if mode == "api_key" then return { api_key = config.api_key, header = config.api_key_header } end
  if mode == "bearer" then return { bearer = config.token } end
  return { basic = { username = config.username, password = config.password } }
end

-- ============================================================================================
-- SESSION
-- ============================================================================================
local client

function init()
  -- One session for the whole run. Every request made through it gets the base URL, the
  -- headers, the credentials, the rate limit and the retry policy; the host does the waiting.
  client = http.session {
    base_url = config.base_url,
    headers = {
      Accept = "application/json",
      ["X-API-Version"] = config.api_version,   -- Acme pins behaviour to a dated version
    },
    auth = auth_table(),
    -- Connection errors, timeouts, 408, 429, 500, 502, 503 and 504 are retried with exponential
    -- backoff and jitter (0.5 s, 1 s, 2 s... at most 30 s), or after the server's Retry-After.
    retry = { max_attempts = config.max_attempts, base_delay = 0.5, max_delay = 30 },
    -- A token bucket for this host, shared by every node of the run that calls it.
    rate_limit = { requests = config.requests_per_second, per = 1 },
    timeout = { connect = 10, read = 30, total = 120 },
  }

  -- Fail before the first page, with a message that says why, when the API is unreachable or
  -- refuses the credentials. (luaflow run does not call check() by itself.)
  local ok, problem = check()
  if not ok then error("connection check failed: " .. problem, 0) end
end

-- ============================================================================================
-- DISCOVERY, CHECK AND COUNT
-- ============================================================================================

-- The streams this connector offers.
function streams()
  return STREAM_NAMES
end

-- Can we reach the API with these credentials? Returns true, or false and the reason.
-- GET /me is the cheapest authenticated call Acme has.
function check()
  local ok, res = pcall(client.get, client, "/me", { raise = false })
  if not ok then
    return false, tostring(res)                  -- unreachable: connection refused, timeout, TLS...
  end
  if not res.ok then
    -- Say what the API answered; the excerpt helps more than the bare status.
    return false, ("GET /me answered %d: %s"):format(res.status, res.body:sub(1, 200))
  end
  local ok_json, me = pcall(res.json, res)
  if not ok_json or type(me) ~= "table" or me.id == nil then
    return false, "GET /me did not return an account (is base_url the API root?)"
  end
  return true
end

-- The number of records the stream will produce, or nil when the API does not say.
-- One small request: a page of one record carries the total.
local COUNTERS = {
  customers = function() return client:get("/customers", { query = { page_size = 1 } }):json().total end,
  orders    = function() return client:get("/orders", { query = { per_page = 1 } }):json().total end,
  products  = function() return nil end,       -- /products has no total
}

function count()
  local ok, total = pcall(COUNTERS[config.stream])
  if ok and math.type(total) == "integer" then return total end
  return nil                                   -- unknown: progress shows no ETA
end

-- ============================================================================================
-- PAGES
-- ============================================================================================
-- Each fetch function reads one page and returns `records, next`. `next` is the pagination
-- table the host passes to the next get() call; nil means "that was the last page". Stopping
-- correctly matters as much as paging: every condition below is the API's own end signal.

-- A JSON value that is really there: absent fields are nil, JSON null is json.null (truthy!).
local function present(v)
  return v ~= nil and v ~= json.null and v ~= ""
end

-- The record list at body[field], or an error that says what the API sent instead: a changed
-- response shape must stop the run, not end the stream quietly.
local function records_at(body, field)
  local list = type(body) == "table" and body[field] or nil
  if type(list) ~= "table" then
    error(("%s: expected a list at %q in the response, got %s"):format(config.stream, field,
      type(body) == "table" and type(list) or type(body)))
  end
  return list
end

-- Cursor pagination: GET /customers?page_size=N&cursor=C
--   -> { results = [...], has_more = true|false, next_cursor = "cus_0100", total = N }
-- next_cursor is there on the last page too (it names the page's last record): has_more is
-- what says whether another page exists.
local function get_customers(pagination)
  local body = client:get("/customers", {
    query = { page_size = config.page_size, cursor = pagination.cursor },  -- nil cursor: not sent
  }):json()
  local records = records_at(body, "results")
  if body.has_more == true and present(body.next_cursor) then
    return records, { cursor = body.next_cursor }
  end
  return records, nil
end

-- Page-number pagination: GET /orders?page=P&per_page=N
--   -> { data = [...], page = P, total_pages = T, total = N }
local function get_orders(pagination)
  local page = pagination.page or 1
  local body = client:get("/orders", { query = { page = page, per_page = config.page_size } }):json()
  local records = records_at(body, "data")
  -- Stop after the last page the API announced; without an announcement, on a short page.
  -- (An empty page also ends it, so a wrong total can never make us loop.)
  local last = (math.type(body.total_pages) == "integer" and page >= body.total_pages)
    or #records < config.page_size
  if last or #records == 0 then return records, nil end
  return records, { page = page + 1 }
end

-- Next-URL pagination: GET /products?page_size=N, then whatever links.next says
--   -> { items = [...], links = { next = "https://.../products?after=..." | null } }
local function origin_of(url)
  return (url:match("^(https?://[^/?#]+)") or ""):lower()
end

local function get_products(pagination)
  local res
  if pagination.next_url then
    res = client:get(pagination.next_url)      -- already carries page_size and its own cursor
  else
    res = client:get("/products", { query = { page_size = config.page_size } })
  end
  local body = res:json()
  local records = records_at(body, "items")
  local next_url = type(body.links) == "table" and body.links.next or nil
  if not present(next_url) then return records, nil end
  if next_url:sub(1, 1) == "/" then next_url = origin_of(config.base_url) .. next_url end
  -- The session sends credentials with every request it makes, so only follow links that
  -- stay on the API's own origin.
  if origin_of(next_url) ~= origin_of(config.base_url) then
    error("products: links.next leaves the API's origin: " .. next_url)
  end
  return records, { next_url = next_url }
end

local FETCH = { customers = get_customers, orders = get_orders, products = get_products }

-- ============================================================================================
-- MAIN ENTRY POINT
-- ============================================================================================
-- Called until it returns a nil (or empty) next. pagination is {} on the first call, then the
-- `next` of the previous call. state is reserved for incremental syncs (always {} today).
local pages = 0
local fetched = 0

function get(pagination, state)
  local records, next_page = FETCH[config.stream](pagination)
  pages, fetched = pages + 1, fetched + #records
  log.debug(config.stream, "page", pages, "->", #records, "records,", fetched, "so far")
  return records, next_page
end
