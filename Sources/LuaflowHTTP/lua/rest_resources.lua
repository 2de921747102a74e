-- The resources engine of source.http: one stream of a declarative REST API, with its parents,
-- partitions, incremental settings and date windows. Loaded by HTTPLuaModule for the http
-- built-ins, in the node's environment, with the rest_time table as its argument; returns
-- `declarations(config)` (what the node declares to the host at load time) and `new(config)`
-- (the engine `init()` makes).
local T, lib = ...
local json = json

-- The settings of one endpoint; a resource inherits the second list from the top level.
local ENDPOINT = { "path", "method", "params", "headers", "json", "paginator", "records_path", "primary_key",
                   "incremental", "response_actions", "include_from_parent", "optional_fields", "partitions", "filter", "map" }
local INHERITED = { "params", "headers", "paginator", "records_path", "primary_key", "response_actions", "optional_fields" }
-- An endpoint without a paginator: the host picks one from the first response, or reads one page
-- when nothing points to another (PaginatorDetector); `{ type = "none" }` reads one page on purpose.
local AUTO = { type = "auto" }

-- The settings of resource `name` (nil: the top level is the only endpoint), or nil.
local function settings(config, name)
  local own = config
  if name ~= nil then own = type(config.resources) == "table" and config.resources[name] or nil end
  if type(own) ~= "table" then return nil end
  local r = { name = name }
  for _, k in ipairs(ENDPOINT) do r[k] = own[k] end
  if name ~= nil then
    for _, k in ipairs(INHERITED) do if r[k] == nil then r[k] = config[k] end end
  end
  return r
end

-- The stream this node reads: config.stream when the config has resources, else the top level.
local function stream_name(config)
  if type(config.resources) == "table" then return config.stream end
  return nil
end

-- JSON with sorted keys: one text per value, to compare partitions.
local function canonical(v)
  if type(v) ~= "table" or v == json.null then return json.encode(v) end
  if #v > 0 or next(v) == nil then
    local parts = {}
    for i, item in ipairs(v) do parts[i] = canonical(item) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = json.encode(k) .. ":" .. canonical(v[k]) end
  return "{" .. table.concat(keys, ",") .. "}"
end

-- A record's primary key as text (as cursor_field.lua computes it), or nil.
local function key_of(record, fields)
  local parts = {}
  for i, f in ipairs(fields) do
    local v = record[f]
    if v == nil or v == json.null then return nil end
    parts[i] = json.encode(v)
  end
  return table.concat(parts, ",")
end

-- Every `{resource.field}` (and `{partition}`, `{partition.field}`) in the strings of `v`.
local function scan(v, found)
  if type(v) == "string" then
    for res, field in v:gmatch("{%+?([%w_]+)%.([%w_%.]+)}") do
      found[res] = found[res] or {}
      found[res][field] = true
    end
    if v:find("{partition}", 1, true) or v:find("{+partition}", 1, true) then found.partition = found.partition or {} end
  elseif type(v) == "table" and v ~= json.null then
    for _, item in pairs(v) do scan(item, found) end
  end
  return found
end

-- What the node declares at load time, before its config is checked: never raises.
local function declarations(config)
  local r = settings(config, stream_name(config))
  local inc = r and type(r.incremental) == "table" and r.incremental or nil
  local d = { optional_fields = r and r.optional_fields }
  if inc and type(inc.cursor_field) == "string" then
    d.cursor_field = inc.cursor_field
    d.backfill = true
    if type(r.primary_key) == "string" or type(r.primary_key) == "table" then
      d.primary_key = r.primary_key
      local lag = tonumber(inc.lag) or 0
      d.cursor_floor = function(max) return T.shift(max, -lag) end
    end
  end
  if r ~= nil then
    d.partitioned = r.partitions ~= nil or next(scan({ r.path, r.params, r.headers, r.json }, {})) ~= nil
  end
  return d
end

-- A `{+...}` value, a path of its own: its segments are kept, but every character that is not
-- allowed in a path (space, `?`, `#`, `%`, controls, non-ASCII) is encoded, and `.` or `..`
-- segments are refused, so it stays below the resource's path.
local function reserved_path(value, where, name)
  for part in (value .. "/"):gmatch("([^/]*)/") do
    if part == "." or part == ".." then
      error(where .. ": " .. name .. " holds a '" .. part .. "' segment, which would leave the resource's path", 0)
    end
  end
  local encoded, why = http.path_segment(value)
  if encoded == nil then error(where .. ": " .. name .. ": " .. why, 0) end
  return (encoded:gsub("%%2F", "/"))
end

-- `v` with its placeholders replaced by the partition's values, as `mode` needs. "path": each
-- value is encoded as one path segment, so a record holding `/`, `?`, `#`, `%2F` or `..` cannot
-- reshape the request; `{+res.field}` (RFC 6570's reserved expansion) keeps the `/` of a value
-- meant to be a path, such as `owner/repo`. "header": a value with CR, LF or NUL is refused (it
-- would end the header field). nil: as it is (query parameters are encoded by the host, once
-- per request; JSON bodies are encoded by json.encode).
local function fill(v, ctx, where, mode)
  if type(v) == "string" then
    return (v:gsub("{(%+?)([%w_]+)%.?([%w_%.]*)}", function(plus, res, field)
      if ctx[res] == nil then return nil end
      local name = "{" .. plus .. res .. (field ~= "" and ("." .. field) or "") .. "}"
      local value = field == "" and ctx[res] or http.lookup(ctx[res], field)
      if value == nil or value == json.null or type(value) == "table" then
        error(where .. ": " .. name .. " has no value in " .. canonical(ctx), 0)
      end
      value = tostring(value)
      if mode == "header" and value:find("[\r\n\0]") then
        error(where .. ": " .. name .. " holds a line break or NUL, which cannot be sent in a header field", 0)
      end
      if mode ~= "path" then return value end
      if plus == "+" then return reserved_path(value, where, name) end
      local encoded, why = http.path_segment(value)
      if encoded == nil then error(where .. ": " .. name .. ": " .. why, 0) end
      return encoded
    end))
  elseif type(v) == "table" and v ~= json.null then
    local out = (#v > 0) and json.array() or {}
    for k, item in pairs(v) do out[k] = fill(item, ctx, where, mode) end
    return out
  end
  return v
end

local Engine = {}
Engine.__index = Engine

-- The resource `name` with its parent and the ancestor fields it needs, checked.
function Engine:resource(name, seen)
  if self.resources[name or ""] then return self.resources[name or ""] end
  local r = settings(self.config, name)
  local label = name and ("resources." .. name) or "source.http"
  if r == nil then error("source.http: no resource '" .. tostring(name) .. "'", 0) end
  seen = seen or {}
  if seen[name or ""] then error("source.http: resources form a cycle through '" .. name .. "'", 0) end
  seen[name or ""] = true
  r.label = label
  r.needs = scan({ r.path, r.params, r.headers, r.json }, {})
  if r.needs.partition and r.partitions == nil then
    error(label .. ": the path uses {partition} but the resource has no `partitions` list", 0)
  end
  local refs = {}
  for res in pairs(r.needs) do
    if res ~= "partition" then
      if type(self.config.resources) ~= "table" or self.config.resources[res] == nil then
        error(label .. ": {" .. res .. ".…} names no resource (resources: " .. self:names() .. ")", 0)
      end
      refs[#refs + 1] = self:resource(res, seen)
    end
  end
  -- The parent is the referenced resource whose ancestors hold all the others.
  for _, candidate in ipairs(refs) do
    local covers = true
    for _, other in ipairs(refs) do
      if other ~= candidate and not candidate.ancestors[other.name] then covers = false end
    end
    if covers then r.parent = candidate end
  end
  if #refs > 0 and r.parent == nil then
    error(label .. ": its placeholders name resources that are not one chain of parents", 0)
  end
  if r.parent and r.partitions then error(label .. ": a resource has a parent or a `partitions` list, not both", 0) end
  r.ancestors = {}
  if r.parent then
    r.ancestors[r.parent.name] = true
    for a in pairs(r.parent.ancestors) do r.ancestors[a] = true end
  end
  -- include_from_parent: "field" of the parent, or "resource.field" of another ancestor.
  r.include = {}
  for _, entry in ipairs(r.include_from_parent or {}) do
    if r.parent == nil then error(label .. ": include_from_parent '" .. entry .. "' needs a parent resource", 0) end
    local res, field = entry:match("^([%w_]+)%.(.+)$")
    if not (res and r.ancestors[res]) then res, field = r.parent.name, entry end
    r.include[#r.include + 1] = { res = res, field = field }
    r.needs[res] = r.needs[res] or {}
    r.needs[res][field] = true
  end
  r.key_fields = type(r.primary_key) == "string" and { r.primary_key } or r.primary_key
  -- filter and map: functions pipeline.lua wrote, which HTTPLuaModule loaded as http_functions.
  for _, key in ipairs { "filter", "map" } do
    if r[key] ~= nil then
      local fn = http_functions[(name and ("resources." .. name .. ".") or "") .. key]
      if fn == nil then error(label .. "." .. key .. ": must be a function written in pipeline.lua", 0) end
      r[key] = fn
    end
  end
  self:check_incremental(r)
  seen[name or ""] = nil
  self.resources[name or ""] = r
  return r
end

function Engine:names()
  local names = {}
  for k in pairs(self.config.resources or {}) do names[#names + 1] = tostring(k) end
  table.sort(names)
  return table.concat(names, ", ")
end

-- Checks the incremental settings of `r` that the schema cannot: what is sent, and the window.
function Engine:check_incremental(r)
  local inc = r.incremental
  if inc == nil then return end
  local where = r.label .. ".incremental"
  if inc.window ~= nil then
    r.window = T.duration(inc.window)
    if r.window == nil then
      error(where .. ".window: expected an ISO-8601 duration of weeks, days, hours, minutes or seconds (P1D, PT6H), got '" ..
            tostring(inc.window) .. "'", 0)
    end
    if inc.start_param == nil then error(where .. ": window needs start_param (and usually end_param)", 0) end
    if inc.initial_value == nil then error(where .. ": window needs initial_value, where the first window starts", 0) end
  end
end

-- One session per resource: its response actions are its own.
function Engine:session(r)
  local key = r.name or ""
  if self.sessions[key] == nil then
    local c = self.config
    self.sessions[key] = http.session {
      base_url = c.base_url, headers = c.headers, forward_headers = c.forward_headers, auth = c.auth, retry = c.retry, rate_limit = c.rate_limit,
      timeout = c.timeout, insecure = c.insecure, response_actions = r.response_actions,
    }
  end
  return self.sessions[key]
end

-- The page iterator of resource `r` in partition `ctx`, with `query` added to its params, from
-- `position` (nil: the first page).
function Engine:pages(r, ctx, query, position)
  local params = fill(r.params or {}, ctx, r.label .. ".params")
  for k, v in pairs(query or {}) do params[k] = v end
  return self:session(r):paginate {
    path = fill(r.path or "", ctx, r.label .. ".path", "path"), method = r.method, query = params,
    headers = fill(r.headers, ctx, r.label .. ".headers", "header"), json = fill(r.json, ctx, r.label .. ".json"),
    paginator = r.paginator or AUTO, records_path = r.records_path, from = position, concurrency = self.config.concurrency,
  }
end

-- Calls visit(ctx, record) for every record of `r` in every partition (parents read in full);
-- `extra`: the fields of r's ancestors the caller needs besides r's own.
function Engine:each_record(r, extra, visit)
  for _, ctx in ipairs(self:contexts(r, extra)) do
    for page in self:pages(r, ctx) do
      for _, record in ipairs(page.records) do
        record = self:shaped(r, record)
        if record ~= nil then visit(ctx, record) end
      end
    end
  end
end

-- The record after the resource's `filter` (false or nil drops it) and `map` (returns the
-- record to keep, or nil).
function Engine:shaped(r, record)
  if r.filter and not r.filter(record) then return nil end
  if r.map then return r.map(record) end
  return record
end

-- The partitions of `r`: one per record of its parent (the values its placeholders and
-- include_from_parent take, keyed by resource), one per value of its `partitions` list, or none.
function Engine:contexts(r, extra)
  local needs = {}
  for _, source in ipairs { r.needs, extra or {} } do
    for res, fields in pairs(source) do
      needs[res] = needs[res] or {}
      for f in pairs(fields) do needs[res][f] = true end
    end
  end
  if r.partitions then
    local list = {}
    for _, value in ipairs(r.partitions) do list[#list + 1] = { partition = value } end
    return list
  end
  if r.parent == nil then return { {} } end
  local above = {}
  for res, fields in pairs(needs) do if res ~= r.parent.name then above[res] = fields end end
  local list, seen, first = {}, {}, {}
  self:each_record(r.parent, above, function(pctx, record)
    local ctx = {}
    for res, fields in pairs(needs) do
      local from = res == r.parent.name and record or pctx[res]
      ctx[res] = {}
      for f in pairs(fields) do
        local v = http.lookup(from, f)
        if type(v) == "table" and v ~= json.null then v = nil end
        ctx[res][f] = v
      end
    end
    if #first < 100 then first[#first + 1] = record end
    local key = canonical(ctx)
    if not seen[key] then
      seen[key] = true
      list[#list + 1] = ctx
    end
  end)
  self:check_included(r, list, first)
  return list
end

-- Raises when an include_from_parent field of the parent is in none of its records (a typo
-- would add no column without a word), unless optional_fields lists it; `first`: the parent's
-- first records, to name the fields they hold.
function Engine:check_included(r, list, first)
  if #first == 0 then return end
  local optional = {}
  for _, f in ipairs(r.optional_fields or {}) do optional[f] = true end
  for i, inc in ipairs(r.include) do
    local entry = r.include_from_parent[i]
    local found = optional[entry] or optional[inc.field]
    for _, ctx in ipairs(list) do
      if found then break end
      found = ctx[inc.res] and ctx[inc.res][inc.field] ~= nil
    end
    if not found and inc.res == r.parent.name then
      error(lib.missing_field(r.label .. ".include_from_parent", inc.field, first,
                              ("the %d records of %s read first"):format(#first, r.parent.label)), 0)
    end
  end
end

-- The partitions of the node's stream, for `partitions()`.
function Engine:partitions()
  return self:contexts(self.stream)
end

-- The range this run reads of an incremental stream: since (inclusive) and up to (nil: no end).
function Engine:range(r, state)
  local inc = r.incremental
  if state.backfill then return state.backfill.from, state.backfill.to end
  local since = inc.initial_value
  if state.cursor ~= nil then since = T.shift(state.cursor, -(inc.lag or 0)) end
  return since, inc.end_value
end

-- The query parameters of an incremental request and the window it reads (nil without windows).
function Engine:incremental_query(r, pagination, state)
  local inc = r.incremental
  if inc == nil then return {}, nil end
  local since, upto = self:range(r, state)
  local query = {}
  if r.window then
    local start = pagination.window or since
    local stop = T.shift(start, r.window)
    local limit = upto or T.now(start)
    if T.parse(stop) == nil or T.parse(limit) == nil then
      error(r.label .. ".incremental: windows need ISO-8601 dates or timestamps, got '" .. tostring(start) .. "'", 0)
    end
    if T.parse(stop) >= T.parse(limit) then stop = limit end
    query[inc.start_param] = start
    if inc.end_param then query[inc.end_param] = stop end
    return query, { start = start, stop = stop, last = stop == limit, empty = T.parse(start) >= T.parse(limit) }
  end
  if since ~= nil then query[inc.cursor_param] = tostring(since) end
  if upto ~= nil and inc.end_param then query[inc.end_param] = tostring(upto) end
  return query, nil
end

-- The records of a page worth emitting: within the range, not sent before (the boundary of an
-- inclusive filter, a look-back), with the parent's fields added, through `filter` and `map`.
function Engine:select(r, records, ctx, state)
  local inc, out = r.incremental, json.array()
  local field = inc and inc.cursor_field
  local upto = inc and select(2, self:range(r, state))
  local seen = state.cursor_keys
  for _, record in ipairs(records) do
    local keep = true
    local v = field and record[field]
    if upto ~= nil and v ~= nil and type(v) == type(upto) and v > upto then keep = false end
    if keep and seen and r.key_fields and v ~= nil then
      local k = key_of(record, r.key_fields)
      if k ~= nil and seen[k] == v then keep = false end
    end
    if keep then
      for _, inc_field in ipairs(r.include) do
        local value = ctx[inc_field.res] and ctx[inc_field.res][inc_field.field]
        record["_" .. inc_field.res .. "_" .. inc_field.field:gsub("%.", "_")] = value
      end
      out[#out + 1] = self:shaped(r, record)
    end
  end
  return out
end

-- Whether the records of `r` leave as the API wrote them: nothing reads or changes them.
local function passes_through(r)
  return r.incremental == nil and #r.include == 0 and r.filter == nil and r.map == nil
end

-- The page iterator of the stream in partition `state.partition` at `pagination`, opened on
-- first use and kept by partition (and window) until its last page; its key; and the window it
-- reads (nil without windows). No iterator when the window is empty.
function Engine:walk(pagination, state)
  local r = self.stream
  local ctx = state.partition or {}
  local query, window = self:incremental_query(r, pagination, state)
  if window and window.empty then return nil, nil, window end
  local key = canonical(ctx) .. "@" .. tostring(window and window.start)
  local pages = self.iterators[key]
  if pages == nil then
    -- A position kept by an earlier source.http, which stored only the page token, still resumes.
    local position = pagination.position or (pagination.next and { pages = 0, next = pagination.next }) or nil
    pages = self:pages(r, ctx, query, position)
    self.iterators[key] = pages
  end
  return pages, key, window
end

-- One page of the stream in the partition `state.partition`: the records and the next
-- pagination (nil after the partition's last page). Everything it needs is in its arguments
-- and the partition's own page iterator, so partitions can be read side by side: the first
-- page of each partition in `state.upcoming` (the host lists the next `concurrency - 1`) is
-- requested now, and waits in its iterator until the host moves on to that partition.
function Engine:page(pagination, state)
  local r = self.stream
  local pages, key, window = self:walk(pagination, state)
  if state.upcoming then
    if pages then pages:prefetch() end -- this partition's page first, for the rate limiter
    for _, ahead in ipairs(state.upcoming) do
      -- A partition that cannot be opened (a placeholder without a value) fails when it is read.
      local ok, later = pcall(self.walk, self, ahead.pagination, ahead.state)
      if ok and later then later:prefetch() end
    end
  end
  if pages == nil then return json.array(), nil end
  local records                   -- a failure leaves the iterator on this page for the retry
  if passes_through(r) then
    records = pages:next_records() -- straight from the body to the pipeline, never decoded
  else
    local page = pages()
    records = page and self:select(r, page.records, state.partition or {}, state)
  end
  records = records or json.array()
  local position = pages:position()
  if not position.done then return records, { window = window and window.start, position = position } end
  self.iterators[key] = nil
  if window and not window.last then return records, { window = window.stop } end
  return records, nil
end

-- `luaflow check`: the first page of the stream's topmost resource (in its first partition), read
-- as a run reads it, so a bad token, an unreachable host, a wrong path or records_path fails the
-- check with the reason. Returns true and what answered.
function Engine:check()
  local r = self.stream
  while r.parent do r = r.parent end
  local ctx = {}
  if r.partitions then
    if r.partitions[1] == nil then return true, "not contacted: " .. r.label .. " has no partitions" end
    ctx = { partition = r.partitions[1] }
  end
  local page = self:pages(r, ctx)()
  if page == nil then return true, "the first page matched a skip response action" end
  return true, page.method .. " " .. page.url .. " answered " .. page.status
end

local function new(config)
  local self = setmetatable({ config = config, resources = {}, sessions = {}, iterators = {} }, Engine)
  self.stream = self:resource(stream_name(config))
  return self
end

return { declarations = declarations, new = new }
