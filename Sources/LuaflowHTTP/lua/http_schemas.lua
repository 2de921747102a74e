-- The options of `http.session{...}` and its nested tables (auth, retry, rate_limit, timeout,
-- paginator), as ``ConfigSchema`` fields: the one description of what they accept. The `http`
-- module checks its arguments against them (`http.schema`), `source.http` and `sink.http` use
-- them in their `schema`, and `luaflow spec` prints them. The Decodable configs read the values
-- once these checks passed.
local S = {}

local function seconds(description) return { type = "number", exclusive_min = 0, description = description } end

S.retry = { type = "table", description = "retries of failed requests (408, 429, 5xx, network errors) with exponential backoff",
  fields = {
    max_attempts = { type = "integer", min = 1, default = 5, description = "tries including the first; 1 disables retries" },
    base_delay = { type = "number", min = 0, default = 0.2, description = "seconds; the backoff ceiling before the n-th retry is base_delay * 2^(n-1)" },
    max_delay = { type = "number", min = 0, default = 30, description = "seconds; caps the backoff and any Retry-After" },
    retry_non_idempotent = { type = "boolean", default = false, description = "retry POST and PATCH too (otherwise only with an Idempotency-Key header)" },
    statuses = { type = "array", items = { type = "integer", min = 100, max = 599 },
                 default = json.array { 408, 429, 500, 502, 503, 504 }, description = "statuses worth another try" },
    budget = { type = "table", description = "retries the host gets overall, shared by every request and node: a server that keeps failing is retried on at most `ratio` of the requests",
      fields = {
        ratio = { type = "number", min = 0, default = 0.2, description = "retries earned per request sent" },
        min_per_second = { type = "number", min = 0, default = 5, description = "retries earned per second whatever the traffic" },
        burst = { type = "integer", min = 1, default = 10, description = "the most retries saved up, and the budget at the start" },
      } },
  } }

S.rate_limit = { type = "table", description = "at most `requests` per `per` seconds to the host, shared by every session of the run",
  fields = {
    requests = { type = "integer", min = 1, required = true, description = "requests allowed per `per` seconds" },
    per = { type = "number", exclusive_min = 0, default = 1, description = "the window, in seconds" },
    burst = { type = "integer", min = 1, description = "requests at once after a quiet period (token_bucket); default requests" },
    strategy = { type = "enum", values = { "token_bucket", "sliding_window" }, default = "token_bucket" },
  } }

S.timeout = { any_of = {
    seconds(),
    { type = "table", fields = {
      connect = { type = "number", exclusive_min = 0, default = 10, description = "seconds to connect" },
      read = { type = "number", exclusive_min = 0, default = 30, description = "longest silence while waiting for bytes, in seconds" },
      total = { type = "number", exclusive_min = 0, default = 120, description = "seconds for one exchange, per attempt" },
    } },
  }, description = "seconds for one exchange, or { connect, read, total }" }

local oauth2 = { type = "table", description = "OAuth2 client credentials grant",
  fields = {
    token_url = { type = "url", required = true, description = "the token endpoint" },
    client_id = { type = "string", required = true },
    client_secret = { type = "secret", required = true },
    scopes = { any_of = { { type = "array", items = { type = "string" } }, { type = "string" } } },
    scope = { type = "string", description = "scopes separated by spaces (or use scopes)" },
    audience = { type = "string" },
    client_auth = { type = "enum", values = { "body", "basic" }, default = "body",
                    description = "client id and secret as form fields (body) or HTTP Basic" },
  } }

S.auth = { type = "table", description = "how requests prove who they are: one of api_key, bearer, basic, oauth2",
  one_of = { "api_key", "bearer", "basic", "oauth2", "oauth2_client_credentials" },
  fields = {
    api_key = { type = "secret", description = "sent in the header X-API-Key, or `header`, or the query parameter `query`" },
    header = { type = "string", description = "api_key: the header to send it in" },
    query = { type = "string", description = "api_key: the query parameter to send it as" },
    bearer = { type = "secret", description = "sent as Authorization: Bearer <token>" },
    basic = { type = "table", fields = {
      username = { type = "string", required = true },
      password = { type = "secret", min_length = 0, description = "may be empty (an API key sent as the user name)" },
    } },
    oauth2 = oauth2,
    oauth2_client_credentials = oauth2,
  } }

S.paginator = { type = "table", tag = "type", description = "how to walk through pages; the fields depend on type",
  fields = {
    records_path = { type = "string", description = "where the records are in each page's body, e.g. data.items" },
    max_pages = { type = "integer", min = 1, description = "stop (without error) after this many pages" },
    stop_on_empty_page = { type = "boolean", default = true },
    inject = { type = "string", pattern = "^[a-z]+:?.*$", default = "query",
               description = "where the cursor, offset or page goes: query, header:NAME, json:PATH (in the JSON body) or path:NAME ({NAME} in the path)" },
  },
  variants = {
    cursor = {
      cursor_param = { type = "string", default = "cursor", description = "the query parameter the cursor is sent as" },
      cursor_path = { type = "string", required = true, description = "where the body holds the next cursor" },
      has_more_path = { type = "string", description = "where the body says whether more pages follow" },
      limit_param = { type = "string", description = "the page size parameter (default limit)" },
      limit = { type = "integer", min = 1, description = "the page size" },
    },
    offset = {
      offset_param = { type = "string", default = "offset" },
      limit_param = { type = "string", default = "limit" },
      limit = { type = "integer", min = 1, default = 100 },
      total_path = { type = "string", description = "where the body holds the total number of records" },
      start_offset = { type = "integer", min = 0, default = 0 },
    },
    page = {
      page_param = { type = "string", default = "page" },
      start_page = { type = "integer", default = 1 },
      page_size_param = { type = "string", description = "the page size parameter (needs page_size)" },
      page_size = { type = "integer", min = 1 },
      total_pages_path = { type = "string", description = "where the body holds the number of pages" },
    },
    next_url = { next_url_path = { type = "string", required = true, description = "where the body holds the next page's URL" } },
    link_header = {},
    none = {},
    auto = {},
  } }

S.response_actions = { type = "array", description = "rules checked against every response before the default error handling; the first that matches decides",
  items = { type = "table", fields = {
    status = { any_of = { { type = "integer", min = 100, max = 599 }, { type = "array", items = { type = "integer", min = 100, max = 599 } } },
               description = "a status or a list of statuses that match (default: any)" },
    content = { type = "string", description = "text the body contains (default: any body)" },
    action = { type = "enum", values = { "skip", "retry", "fail" }, required = true,
               description = "skip: nothing here (a walk of pages ends); retry: try again with backoff; fail: the request fails" },
  } } }

S.session = {
  base_url = { type = "url", description = "joined with relative request paths" },
  headers = { type = "table", description = "sent with every request" },
  forward_headers = { type = "array", items = { type = "string", pattern = "^[%w!#$&'*+%-.^_`|~]+$" },
                      description = "header fields that go along to another origin (a next link or redirect to another host); otherwise only Accept, Accept-Language, Cache-Control, Content-Language, Content-Length, Content-Type and User-Agent do" },
  auth = S.auth,
  retry = S.retry,
  rate_limit = S.rate_limit,
  timeout = S.timeout,
  insecure = { type = "boolean", default = false, description = "skip TLS certificate verification" },
  max_redirects = { type = "integer", min = 0, default = 5 },
  user_agent = { type = "string", default = "luaflow" },
  max_body_bytes = { type = "integer", min = 1, default = 268435456, description = "largest response body, in bytes" },
  response_actions = S.response_actions,
}

return S
