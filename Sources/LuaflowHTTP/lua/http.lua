-- The Lua side of `http` (HTTPLuaModule): runs once per node, in the node's environment, with the
-- host functions of HTTPLuaBinding as its argument.
local host, lib, schemas = ...
local json = json

-- Raises every problem of `opts` against `schema` together, at the caller's caller (the
-- user's script): "http.session: unknown setting `retyr`; did you mean `retry`?".
local function validated(schema, opts, what)
  local problems = {}
  lib.check_value(schema, opts, what == "paginator" and "paginator" or "", problems)
  if #problems == 0 then return end
  local lines = {}
  for _, p in ipairs(problems) do lines[#lines + 1] = lib.render(p, "") end
  error(what .. ": " .. table.concat(lines, "; "), 3)
end

-- {k = v, k2 = {a, b}} -> {{"k", "v"}, {"k2", "a"}, {"k2", "b"}} (sorted keys: stable URLs)
local function pair_list(t)
  local list = json.array()
  if t == nil then return list end
  if type(t) ~= "table" then error("http: query and headers must be tables", 3) end
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local v = t[k]
    if type(v) == "table" and v ~= json.null then
      for _, item in ipairs(v) do list[#list + 1] = json.array { tostring(k), tostring(item) } end
    elseif v ~= nil and v ~= json.null then
      list[#list + 1] = json.array { tostring(k), tostring(v) }
    end
  end
  return list
end

local function has_key(t, name)
  if t == nil then return false end
  for k in pairs(t) do if tostring(k):lower() == name then return true end end
  return false
end

local function url_encode(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- The request body and its content type, from opts.json, opts.form or opts.body.
local function body_of(opts)
  if opts.json ~= nil then return json.encode(opts.json), "application/json" end
  if opts.form ~= nil then
    local parts = {}
    for _, pair in ipairs(pair_list(opts.form)) do parts[#parts + 1] = url_encode(pair[1]) .. "=" .. url_encode(pair[2]) end
    return table.concat(parts, "&"), "application/x-www-form-urlencoded"
  end
  if opts.body ~= nil then return tostring(opts.body), nil end
  return nil, nil
end

local headers_mt = { __index = function(t, k)
  if type(k) == "string" then return rawget(t, k:lower()) end
end }

-- Why a body is not JSON, from the decoder's "invalid JSON at byte N: expected ..." message:
-- "expected a JSON value at byte 1, found '<' (body: <html>...)".
local function json_problem(body, message)
  if #body == 0 then return "the body is empty" end
  local at, expected = tostring(message):match("invalid JSON at byte (%d+): (.*)$")
  if not at then return tostring(message) end
  at = tonumber(at)
  local found = body:sub(at, at)
  if found == "" then
    found = "the end of the body (truncated?)"
  elseif found:match("^[%g ]$") then
    found = "'" .. found .. "'"
  else
    found = string.format("byte 0x%02X", found:byte())
  end
  local excerpt = body:sub(1, 80):gsub("%s+", " ")
  return expected .. " at byte " .. at .. ", found " .. found .. " (body: " .. excerpt .. (#body > 80 and "..." or "") .. ")"
end

-- The body decoded as JSON, or an error at the caller's caller (the user's script) naming the
-- request: "response of GET http://host/x (status 200) is not JSON: ...".
local function decode_body(res, what)
  local ok, value = pcall(json.decode, res.body)
  if ok then return value end
  error(what .. " of " .. res.method .. " " .. res.url .. " (status " .. res.status .. ") is not JSON: " ..
        json_problem(res.body, value), 3)
end

local response_methods = {
  json = function(self)
    local value = decode_body(self, "response") -- not a tail call: level 3 is the user's line
    return value
  end,
}
local response_mt = { __index = response_methods }

local function response(method, status, headers_json, body, url, attempts)
  local headers = setmetatable({}, headers_mt)
  for _, h in ipairs(json.decode(headers_json)) do
    local k = h[1]:lower()
    local old = rawget(headers, k)
    rawset(headers, k, old and (old .. ", " .. h[2]) or h[2])
  end
  return setmetatable({ method = method, status = status, ok = status >= 200 and status < 300, headers = headers,
                        body = body, url = url, attempts = attempts }, response_mt)
end

-- "data.items" -> body.data.items; "" or nil -> body itself. A `*` step takes every element of a
-- list (or every value of an object, by key) and joins what the rest of the path finds in each:
-- "data.*.items" -> the items of every entry of data, as one list.
local function lookup(value, path)
  if path == nil or path == "" then return value end
  local parts = {}
  for part in path:gmatch("[^%.]+") do parts[#parts + 1] = part end
  local function walk(v, i)
    for j = i, #parts do
      local part = parts[j]
      if type(v) ~= "table" or v == json.null then return nil end
      if part == "*" then
        local out, keys = json.array(), {}
        if #v > 0 then
          for k = 1, #v do keys[k] = k end
        else
          for k in pairs(v) do keys[#keys + 1] = k end
          table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
        end
        for _, k in ipairs(keys) do
          local found = walk(v[k], j + 1)
          if type(found) == "table" and found ~= json.null and (#found > 0 or next(found) == nil) then
            for _, item in ipairs(found) do out[#out + 1] = item end
          elseif found ~= nil and found ~= json.null then
            out[#out + 1] = found
          end
        end
        return out
      end
      v = v[tonumber(part) and math.tointeger(tonumber(part)) + 1 or part]
    end
    return v
  end
  return walk(value, 1)
end

-- Calls a host function; a failure is re-raised at the caller's caller (the user's script),
-- without this file's location. Every public wrapper reaches here through tail calls.
local function checked(ok, ...)
  if ok then return ... end
  local message = tostring((...)):gsub("^luaflow/http%.lua:%d+: ", "")
  error(message, 3)
end

local Session = {}
Session.__index = Session

-- session:request(method, path, { query, headers, json | form | body, raise = true })
function Session:request(method, path, opts)
  opts = opts or {}
  local body, content_type = body_of(opts)
  local headers = pair_list(opts.headers)
  if content_type and not has_key(opts.headers, "content-type") then
    headers[#headers + 1] = json.array { "Content-Type", content_type }
  end
  return response(method, checked(pcall(host.request, self.id, method, path or "", json.encode(pair_list(opts.query)),
                                json.encode(headers), body, opts.raise ~= false)))
end

for _, m in ipairs { "get", "post", "put", "patch", "delete", "head" } do
  Session[m] = function(self, path, opts) return self:request(m:upper(), path, opts) end
end

-- session:get_many(requests, { concurrency = 4, raise = true }): GETs every request (a path, or
-- { path, query, headers }) with up to `concurrency` in flight, each through the session's rate
-- limit and retries, and returns the responses in the order of `requests`. A request that fails
-- raises its error (the first in request order) once all are done; with raise = false a failed
-- status is returned as a response and a request that got no response is { ok = false, error = message }.
function Session:get_many(requests, opts)
  opts = opts or {}
  if type(requests) ~= "table" or type(opts) ~= "table" then
    error("session:get_many expects a list of requests and a table of options", 2)
  end
  local concurrency = opts.concurrency or 4
  if math.type(concurrency) ~= "integer" or concurrency < 1 then
    error("session:get_many: `concurrency` must be an integer of at least 1, got " .. tostring(opts.concurrency), 2)
  end
  local list = json.array()
  for i, r in ipairs(requests) do
    if type(r) == "string" then r = { path = r } end
    if type(r) ~= "table" then error("session:get_many: request " .. i .. " must be a path or a table, got a " .. type(r), 2) end
    list[i] = { path = r.path or "", query = pair_list(r.query), headers = pair_list(r.headers) }
  end
  local raise = opts.raise ~= false
  local count = checked(pcall(host.request_many, self.id, json.encode(list), concurrency, raise))
  local responses = json.array()
  for i = 1, count do
    local ok, status, headers_json, body, url, attempts = pcall(host.many_result, i)
    if ok then
      responses[i] = response("GET", status, headers_json, body, url, attempts)
    elseif raise then
      for j = i + 1, count do pcall(host.many_result, j) end -- lets the host drop the rest
      checked(false, status)
    else
      responses[i] = { ok = false, error = (tostring(status):gsub("^luaflow/http%.lua:%d+: ", "")) }
    end
  end
  return responses
end

-- The error of a records_path that is not in page `number`'s body `data`: the step that is
-- missing, the fields present where it was looked for, and the closest of them.
local function missing_records(path, data, number, url)
  local at, step = data, nil
  for part in tostring(path):gmatch("[^%.]+") do
    if part == "*" or type(at) ~= "table" or at == json.null or at[part] == nil or at[part] == json.null then step = part; break end
    at = at[part]
  end
  local names = {}
  if type(at) == "table" and at ~= json.null and #at == 0 then
    for k in pairs(at) do names[#names + 1] = tostring(k) end
  end
  table.sort(names)
  local close = step and lib.suggest(step, names)
  return "records_path '" .. tostring(path) .. "' is not in the response of page " .. number .. " (" .. url ..
         "); check the path against the API's response" ..
         (#names > 0 and (" (fields present: " .. table.concat(names, ", ") .. ")") or "") ..
         (close and ("; did you mean `" .. close .. "`?") or "")
end

-- The page iterator session:paginate returns: call it (or `for page in pages do`) for the next
-- page, nil after the last one.
local Pages = {}
Pages.__index = Pages

-- Where the walk is, as a table json.encode can keep: { pages = n } before the first page,
-- { pages = n, next = token } between pages, { pages = n, done = true } after the last.
-- session:paginate { ..., from = position } continues from it.
function Pages:position()
  return { pages = self.pages, next = self.next_token, done = self.done or nil }
end

function Pages:__call()
  if self.done then return nil end
  local status, headers_json, body, url, attempts, number, next = checked(pcall(host.next_page, self.id))
  if status == nil then
    self.done, self.next_token = true, nil
    return nil
  end
  local page = response(self.method, status, headers_json, body, url, attempts)
  page.number = number
  page.next = next
  page.data = decode_body(page, "page " .. number)
  local records = lookup(page.data, self.records_path)
  if records == nil then error(missing_records(self.records_path, page.data, number, url), 2) end
  page.records = records == json.null and json.array() or records
  self.pages, self.next_token, self.done = number, next, next == nil
  return page
end

-- The next page's records as get() can return them, and the page's token (nil on the last page);
-- nil after the last page. The records stay JSON text the host cut out of the body: they reach the
-- pipeline as they are, never decoded into Lua tables (`#records` counts them).
function Pages:next_records()
  if self.done then return nil end
  local records, number, next, url = checked(pcall(host.next_records, self.id))
  if records == nil then
    self.done, self.next_token = true, nil
    return nil
  end
  if type(records) == "string" then -- a records path the host cannot scan: decoded here
    local data = decode_body({ body = records, method = self.method, url = url, status = 200 }, "page " .. number)
    records = lookup(data, self.records_path)
    if records == nil then error(missing_records(self.records_path, data, number, url), 2) end
    if records == json.null then records = json.array() end
  end
  self.pages, self.next_token, self.done = number, next, next == nil
  return records, next
end

-- Starts the request for the next page now, without waiting for it: the next call finds it in
-- flight or done. Only with `concurrency` above 1 (else it does nothing); a script reading
-- partitions calls it on the walks of the partitions `state.upcoming` names.
function Pages:prefetch()
  if not self.done then checked(pcall(host.prefetch_page, self.id)) end
end

-- A `from` position: { pages = n [, next = token | done = true] }.
local function start_position(from)
  if type(from) ~= "table" or math.type(from.pages) ~= "integer" or from.pages < 0
     or (from.next ~= nil and type(from.next) ~= "string") then
    error("session:paginate: `from` must be a position from pages:position() ({ pages = n, next = token }), got " ..
          (type(from) == "table" and json.encode(from) or type(from)), 3)
  end
  return from.pages, from.next, from.done == true
end

-- session:paginate { path, method, query, headers, json | form | body, paginator = { type = "cursor", ... },
-- records_path, from, concurrency }
-- returns a page iterator (with `concurrency = N`, up to N pages in flight when the paginator knows
-- them ahead: offset with total_path, page with total_pages_path; pages still come in order);
-- page.records holds the records at records_path, page.next a token
-- for the following page (nil on the last) that `resume = token` continues from in a later run,
-- and pages:position() the whole position, which `from = position` continues from.
function Session:paginate(opts)
  opts = opts or {}
  if opts.from ~= nil and opts.resume ~= nil then error("session:paginate: give `from` or `resume`, not both", 2) end
  if opts.paginator ~= nil then validated(schemas.paginator, opts.paginator, "paginator") end
  local paginator = {}
  for k, v in pairs(opts.paginator or { type = "none" }) do paginator[k] = v end
  paginator.records_path = paginator.records_path or opts.records_path
  local pages, token, done = 0, opts.resume, false
  if opts.from ~= nil then pages, token, done = start_position(opts.from) end
  local concurrency = opts.concurrency or 1
  if math.type(concurrency) ~= "integer" or concurrency < 1 then
    error("session:paginate: `concurrency` must be an integer of at least 1, got " .. tostring(opts.concurrency), 2)
  end
  local method = (opts.method or "GET"):upper()
  local body, content_type = body_of(opts)
  local headers = pair_list(opts.headers)
  if content_type and not has_key(opts.headers, "content-type") then
    headers[#headers + 1] = json.array { "Content-Type", content_type }
  end
  local id = checked(pcall(host.paginate, self.id, method, opts.path or "", json.encode(pair_list(opts.query)),
                                 json.encode(headers), json.encode(paginator), token, pages, body, concurrency))
  return setmetatable({ id = id, method = method, records_path = paginator.records_path, pages = pages,
                        next_token = token, done = done }, Pages)
end

-- The event stream session:sse returns: call it (or `for event in events do`) for the next
-- event { event, id, data, retry }, nil once the stream ended (a 204, close(), the source's
-- lifetime); events:next(timeout) returns nil, "timeout" when nothing came in time.
local Events = {}
Events.__index = Events

local function payload(data)
  local ok, value = pcall(json.decode, data)
  if ok then return value end
  return data
end

function Events:next(timeout)
  if self.closed then return nil, "closed" end
  local event, id, data, retry = checked(pcall(host.sse_next, self.id, timeout))
  if event == nil then
    if id == "closed" then self.closed = true end
    return nil, id
  end
  self.last_event_id = id
  return { event = event, id = id, data = payload(data), retry = retry }
end

function Events:__call() return (self:next()) end

function Events:close()
  if not self.closed then host.stream_close(self.id) end
  self.closed = true
end

local event_options = { type = "table", fields = {
  query = { type = "table" }, headers = { type = "table" },
  last_event_id = { any_of = { { type = "string" }, { type = "number" } } },
  max_event_bytes = { type = "integer", min = 1, max = 1073741824 },
} }

-- session:sse(path, { query, headers, last_event_id, max_event_bytes = 16 MB }): follows a
-- Server-Sent Events stream, reconnecting with the server's retry and backoff and sending
-- Last-Event-ID; an event larger than max_event_bytes fails it.
function Session:sse(path, opts)
  opts = opts or {}
  validated(event_options, opts, "session:sse")
  local last = opts.last_event_id ~= nil and tostring(opts.last_event_id) or nil
  local id = checked(pcall(host.sse_open, self.id, path or "", json.encode(pair_list(opts.query)),
                           json.encode(pair_list(opts.headers)), last, opts.max_event_bytes))
  return setmetatable({ id = id, last_event_id = last }, Events)
end

-- The WebSocket session:websocket returns: ws:send(table_or_string), ws:receive(timeout),
-- ws:close(), and ws.cursor, the cursor field of the last message received.
local Socket = {}
Socket.__index = Socket

function Socket:send(message, opts)
  if self.closed then error("ws:send: the WebSocket is closed", 2) end
  local binary = type(opts) == "table" and opts.binary == true
  if type(message) == "table" then message = json.encode(message)
  elseif type(message) ~= "string" then error("ws:send: expected a table or a string, got " .. type(message), 2) end
  checked(pcall(host.ws_send, self.id, message, binary))
end

-- The next message (a table when it is JSON, else its text), nil, "timeout" when nothing came
-- in time, nil, "closed" once it is over.
function Socket:receive(timeout)
  if self.closed then return nil, "closed" end
  local message, binary, cursor = checked(pcall(host.ws_receive, self.id, timeout))
  if message == nil then
    if binary == "closed" then self.closed = true end
    return nil, binary
  end
  if cursor ~= nil then self.cursor = cursor end
  if binary then return message end
  return payload(message)
end

function Socket:close()
  if not self.closed then host.stream_close(self.id) end
  self.closed = true
end

local socket_options = { type = "table", fields = {
  query = { type = "table" }, headers = { type = "table" },
  subscribe = { type = "array", items = { any_of = { { type = "string" }, { type = "table" } } } },
  cursor = { type = "table", fields = { field = { type = "string", required = true }, param = { type = "string" },
                                         value = { any_of = { { type = "string" }, { type = "number" } } } } },
  ping = { type = "number", min = 0 }, ping_timeout = { type = "number", exclusive_min = 0 },
  reconnect = { type = "boolean" }, max_reconnects = { type = "integer", min = 0 },
  max_message_bytes = { type = "integer", min = 1, max = 1073741824 },
} }

-- session:websocket(path, { query, headers, subscribe = { ... }, cursor = { field, param, value },
-- ping = 20, ping_timeout = 10, reconnect = true }): connects at once (path may be a ws:// or
-- wss:// URL, or joined to base_url); messages in `subscribe` are sent after every connect.
function Session:websocket(path, opts)
  opts = opts or {}
  validated(socket_options, opts, "session:websocket")
  local options = { subscribe = opts.subscribe, ping = opts.ping, ping_timeout = opts.ping_timeout,
                    reconnect = opts.reconnect, max_reconnects = opts.max_reconnects,
                    max_message_bytes = opts.max_message_bytes }
  local cursor
  if opts.cursor ~= nil then
    options.cursor = { field = opts.cursor.field, param = opts.cursor.param }
    cursor = opts.cursor.value ~= nil and tostring(opts.cursor.value) or nil
  end
  local id = checked(pcall(host.ws_open, self.id, path or "", json.encode(pair_list(opts.query)),
                           json.encode(pair_list(opts.headers)), json.encode(options), cursor))
  return setmetatable({ id = id, cursor = cursor }, Socket)
end

local default_session
local function default()
  default_session = default_session or setmetatable({ id = host.session("{}") }, Session)
  return default_session
end

http = {
  session = function(opts)
    if opts ~= nil and type(opts) ~= "table" then error("http.session expects a table of options", 2) end
    validated({ type = "table", fields = schemas.session }, opts or {}, "http.session")
    return setmetatable({ id = checked(pcall(host.session, json.encode(opts or {}))) }, Session)
  end,
  request = function(method, url, opts) return default():request(method, url, opts) end,
  paginate = function(opts) return default():paginate(opts) end,
  idempotency_key = host.idempotency_key,
  lookup = lookup,
  -- `value` percent-encoded as one path segment: `/`, `?`, `#`, `%` and `..` cannot reshape the
  -- URL it is put into. nil and the reason for a value over 2048 bytes.
  path_segment = function(value) return host.path_segment(tostring(value)) end,
  -- The URL of a response's `Link: <...>; rel="next"` (RFC 8288), resolved against its URL; nil
  -- when there is none.
  link_next = function(res)
    if type(res) ~= "table" or type(res.headers) ~= "table" then error("http.link_next expects a response", 2) end
    local field = res.headers["link"]
    if field == nil then return nil end
    return host.link_next(field, res.url)
  end,
  schema = schemas,
}
for _, m in ipairs { "get", "post", "put", "patch", "delete", "head" } do
  http[m] = function(url, opts) return default():request(m:upper(), url, opts) end
end
