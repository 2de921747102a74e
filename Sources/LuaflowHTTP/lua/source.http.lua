-- source.http: one stream of a REST API, declared in pipeline.lua: an endpoint with a host-side
-- paginator, or one of several `resources` (parents, partitions, incremental settings, date
-- windows). Written in Lua on top of the `http` module and run like a user script; the engine is
-- rest_resources.lua, which HTTPLuaModule hands to the http built-ins as `http_resources`.

-- How a resource reads its stream incrementally.
local incremental = { type = "table", description = "fetch only records newer than the last run's",
  one_of = { "cursor_param", "window" },
  fields = {
    cursor_field = { type = "string", required = true, description = "the record field to track" },
    cursor_param = { type = "string", description = "the query parameter the cursor is sent as (not with window)" },
    initial_value = { any_of = { { type = "string" }, { type = "number" } }, description = "the value sent on the first run" },
    end_value = { any_of = { { type = "string" }, { type = "number" } }, description = "read up to this value only (a bounded run)" },
    end_param = { type = "string", description = "the query parameter the end of the range is sent as" },
    lag = { type = "number", min = 0, description = "re-read this much before the cursor (seconds, or units of a numeric cursor); with primary_key the records read again are not emitted twice" },
    window = { type = "string", description = "read in date windows of this ISO-8601 duration (P1D, PT6H), one checkpoint each" },
    start_param = { type = "string", description = "with window: the query parameter of the window's start" },
  } }

-- The settings of one endpoint: the top level's, or one resource's.
local function endpoint(fields)
  fields.path = { type = "string", default = fields.path_default, description = "endpoint path, joined to base_url; {parent.field} and {partition} are replaced" }
  fields.path_default = nil
  fields.method = { type = "enum", values = { "GET", "POST" }, description = "the request method (default GET)" }
  fields.params = { type = "table", description = "query parameters sent with every page" }
  fields.json = { type = "any", description = "a JSON body sent with every page (POST), e.g. a GraphQL query and its variables" }
  fields.paginator = http.schema.paginator
  fields.records_path = { type = "string", description = "where the records are in each page's body, e.g. data.items or data.*.items" }
  fields.primary_key = { any_of = { { type = "string" }, { type = "array", items = { type = "string" } } },
                         description = "the field(s) that identify a record: an incremental read does not emit a record twice" }
  fields.incremental = incremental
  fields.response_actions = http.schema.response_actions
  fields.include_from_parent = { type = "array", items = { type = "string" }, description = "fields of the parent record added to each record as _<parent>_<field>" }
  fields.optional_fields = { type = "array", items = { type = "string" },
                             description = "fields cursor_field or include_from_parent name that may be absent from every record read first (otherwise that is an error, as for a typo)" }
  fields.partitions = { type = "array", description = "read the resource once per value, each with its own checkpoint and cursor ({partition} in the path)" }
  fields.filter = { type = "string", description = "function(record) written in pipeline.lua: keep the record when it returns true" }
  fields.map = { type = "string", description = "function(record) written in pipeline.lua: the record to emit instead (nil drops it)" }
  return fields
end

local resource = { type = "table", fields = endpoint {
  headers = { type = "table", description = "header fields sent with every page of this resource" },
} }

schema = endpoint {
  path_default = "",
  base_url     = { type = "url", required = true, description = "the API's base URL" },
  headers      = http.schema.session.headers,
  forward_headers = http.schema.session.forward_headers,
  auth         = http.schema.auth,
  retry        = http.schema.retry,
  rate_limit   = http.schema.rate_limit,
  timeout      = http.schema.timeout,
  insecure     = http.schema.session.insecure,
  resources    = { type = "table", each = resource, description = "named endpoints; node.<name> reads one of them as a stream" },
  stream       = { type = "string", description = "the resource this node reads (set by node.<name>)" },
  concurrency  = { type = "integer", min = 1, default = 1,
                   description = "requests in flight at once: pages when the paginator knows them ahead (offset with total_path, page with total_pages_path), and the first pages of the next partitions of a resource; records keep their order" },
}

-- What the host reads at load time: the cursor and how to resume a partitioned stream.
local declared = http_resources.declarations(config)
cursor_field, primary_key, cursor_floor = declared.cursor_field, declared.primary_key, declared.cursor_floor
optional_fields = declared.optional_fields
backfill = declared.backfill

local engine

function init()
  engine = http_resources.new(config)
end

if declared.partitioned then
  function partitions()
    return engine:partitions()
  end
  -- The next partitions' first pages are fetched while this one is read: `concurrency`
  -- partitions have requests in flight at once.
  partitions_ahead = math.max(0, (math.tointeger(config.concurrency) or 1) - 1)
end

-- luaflow check: requests the first page (Engine:check), so a bad token or host is a problem.
function check()
  return engine:check()
end

function get(pagination, state)
  return engine:page(pagination, state)
end
