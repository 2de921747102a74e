-- Acme API source: many endpoints, one connector, a dispatch table.
--
-- Each stream (API resource) is one row of STREAMS: its path, where the records are in the
-- response, and which of the host's paginators walks its pages. config.stream picks the row.
-- Adding an endpoint is adding a row; the schema's list of streams follows by itself.
--
-- The host does the paging (cursor, offset, page number, next URL, Link header), the loop
-- detection, the retries and the rate limit. The script only says which endpoint is which.

-- ============================================================================================
-- DISPATCH TABLE
-- ============================================================================================
-- path          endpoint, relative to base_url
-- records_path  dot path of the record list in each response body ("" = the body is the list)
-- paginator     function(page_size) -> the paginator table for session:paginate
-- query         extra query parameters for the first request (optional)
local STREAMS = {
  -- { "results": [...], "has_more": true, "next_cursor": "cus_0100" }: the cursor is set on the
  -- last page too, so has_more_path is what stops it (without it: one more, empty, page)
  customers = {
    path = "/customers",
    records_path = "results",
    paginator = function(size)
      return { type = "cursor", cursor_param = "cursor", cursor_path = "next_cursor",
               has_more_path = "has_more", limit_param = "page_size", limit = size }
    end,
  },
  -- { "data": [...], "page": 2, "total_pages": 3 }
  orders = {
    path = "/orders",
    records_path = "data",
    paginator = function(size)
      return { type = "page", page_param = "page", page_size_param = "per_page", page_size = size,
               total_pages_path = "total_pages" }
    end,
  },
  -- { "items": [...], "links": { "next": "https://.../products?after=prd_0100" } }
  products = {
    path = "/products",
    records_path = "items",
    query = function(size) return { page_size = size } end,   -- the next URLs carry it along
    paginator = function() return { type = "next_url", next_url_path = "links.next" } end,
  },
  -- { "invoices": [...], "total": 42 }
  invoices = {
    path = "/invoices",
    records_path = "invoices",
    paginator = function(size)
      return { type = "offset", offset_param = "offset", limit_param = "limit", limit = size,
               total_path = "total" }
    end,
  },
  -- [ ... ] with  Link: <https://.../payments?page=2&per_page=100>; rel="next"
  payments = {
    path = "/payments",
    records_path = "",
    query = function(size) return { per_page = size } end,
    paginator = function() return { type = "link_header" } end,
  },
}

-- The stream names, sorted: the values the schema accepts and what streams() reports.
local NAMES = {}
for name in pairs(STREAMS) do NAMES[#NAMES + 1] = name end
table.sort(NAMES)

-- ============================================================================================
-- CONFIG
-- ============================================================================================
schema = {
  base_url  = { type = "url", required = true, description = "API root, e.g. https://api.acme.example/v2" },
  stream    = { type = "enum", values = NAMES, required = true },
  token     = { type = "secret", env = "ACME_TOKEN", required = true, description = "an API token (Bearer)" },
  page_size = { type = "integer", default = 100, min = 1, max = 250 },
  max_pages = { type = "integer", min = 1, description = "stop after this many pages (for trials)" },
  requests_per_second = { type = "integer", default = 10, min = 1 },
}

function streams()
  return NAMES
end

-- ============================================================================================
-- RUN
-- ============================================================================================
local pages   -- the page iterator of the chosen stream

function init()
  local stream = STREAMS[config.stream]
  -- Every node gets its own session. Sessions talking to the same host share its rate limit,
  -- so two streams of this connector in one pipeline stay within the API's quota together.
  local session = http.session {
    base_url = config.base_url,
    headers = { Accept = "application/json" },
    auth = { bearer = config.token },
    retry = { max_attempts = 5, base_delay = 0.5, max_delay = 30 },
    rate_limit = { requests = config.requests_per_second, per = 1 },
  }
  local paginator = stream.paginator(config.page_size)
  paginator.max_pages = config.max_pages
  pages = session:paginate {
    path = stream.path,
    query = stream.query and stream.query(config.page_size),
    paginator = paginator,
    records_path = stream.records_path,
  }
end

-- One page per call. The iterator keeps the position, so `pagination` only tells the host that
-- more may come; a nil next ends the stream.
function get(pagination, state)
  local page = pages()
  if page == nil then return nil, nil end        -- the paginator saw the last page
  log.debug(config.stream, "page", page.number, "->", #page.records, "records")
  return page.records, { page = page.number }
end
