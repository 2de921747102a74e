-- The Lua side of the test API: `test`, the `assert_*` functions, `connector` handles and
-- `mock`. Runs once per test file, in the file's environment, with the host functions of
-- TestFileRunner and the sandbox's privileged helpers as arguments.
local host, privileged = ...
local getinfo = privileged.getinfo
local json = json
local type, pairs, ipairs, tostring, error, pcall, rawget = type, pairs, ipairs, tostring, error, pcall, rawget

-- Values in messages: compact JSON-like text, Lua literals for what JSON has not.
local function show(v, depth)
  depth = depth or 0
  if v == nil then return "nil" end
  if v == json.null then return "null" end
  local t = type(v)
  if t == "string" then return json.encode(v) end
  if t == "number" or t == "boolean" then return tostring(v) end
  if t ~= "table" then return "<" .. t .. ">" end
  if depth > 20 then return "{...}" end
  local n, count = #v, 0
  for _ in pairs(v) do count = count + 1 end
  local parts = {}
  if n > 0 and n == count then
    for i = 1, n do parts[i] = show(v[i], depth + 1) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for i, k in ipairs(keys) do
    local key = type(k) == "string" and json.encode(k) or "[" .. show(k, depth + 1) .. "]"
    parts[i] = key .. ":" .. show(v[k], depth + 1)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- Deep equality: tables by content, numbers by value (1 == 1.0), json.null only to itself.
local function equal(a, b, depth)
  if rawequal(a, b) then return true end
  if type(a) == "number" and type(b) == "number" then return a == b end
  if type(a) ~= "table" or type(b) ~= "table" or depth > 100 then return false end
  for k, v in pairs(a) do
    if not equal(v, rawget(b, k), depth + 1) then return false end
  end
  for k in pairs(b) do
    if rawget(a, k) == nil then return false end
  end
  return true
end

local function fail(message, text)
  error((message ~= nil and (tostring(message) .. ": ") or "") .. text, 3)
end

function assert_eq(actual, expected, message)
  if not equal(actual, expected, 0) then fail(message, "expected " .. show(expected) .. ", got " .. show(actual)) end
end

function assert_true(value, message)
  if not value then fail(message, "expected a true value, got " .. show(value)) end
end

function assert_nil(value, message)
  if value ~= nil then fail(message, "expected nil, got " .. show(value)) end
end

function assert_error(fn, substring)
  if type(fn) ~= "function" then error("assert_error(fn [, substring]): fn must be a function, got " .. type(fn), 2) end
  local ok, err = pcall(fn)
  local wanted = substring ~= nil and ("an error containing " .. show(substring)) or "an error"
  if ok then error("expected " .. wanted .. ", but the function returned normally", 2) end
  local message = type(err) == "string" and err or show(err)
  if substring ~= nil and not message:find(tostring(substring), 1, true) then
    error("expected " .. wanted .. ", got " .. show(message), 2)
  end
  return message
end

local tests = {}
function test(name, fn)
  if type(name) ~= "string" then error("test(name, fn): name must be a string, got " .. type(name), 2) end
  if type(fn) ~= "function" then error("test(name, fn): fn must be a function, got " .. type(fn), 2) end
  tests[#tests + 1] = { name = name, fn = fn, line = getinfo(2, "l").currentline }
end

-- emit() of connector scripts appends to the list of the call being collected.
local collected = nil
local function capture_emit(item)
  if collected == nil then
    error("emit() can only be called while the node is producing output (in run() or finalize())", 2)
  end
  if item == nil then error("emit() needs an item", 2) end
  collected[#collected + 1] = item
end

-- Calls fn(...) and returns what it emitted plus its first two results.
local function collecting(fn, ...)
  local previous, out = collected, {}
  collected = out
  local ok, a, b = pcall(fn, ...)
  collected = previous
  if not ok then error(a, 0) end
  return out, a, b
end

local function check_list(t, what)
  if type(t) == "table" and #t == 0 and next(t) ~= nil then
    error(what .. " must return a list of records, got a table with named fields (to return one record, wrap it: { record })", 3)
  end
end

local function append(list, items)
  for _, item in ipairs(items) do list[#list + 1] = item end
end

local handle = {}
handle.__index = handle

function handle:fn(name, signature)
  local fn = rawget(self.env, name)
  if type(fn) ~= "function" then error(self.path .. " defines no " .. signature .. " function", 3) end
  return fn
end

-- Appends the records of get() from `pagination` on until it returns no next pagination or `full()`.
local function read_pages(get, records, pagination, state, full)
  local last, pages = nil, 0
  while not full() do
    local out, page, nxt = collecting(get, pagination, state)
    pages = pages + 1
    append(records, out)
    if page ~= nil then
      if type(page) ~= "table" then error("get() must return a table of records (or nil), got a " .. type(page), 3) end
      check_list(page, "get()")
      append(records, page)
    end
    if nxt == nil or (type(nxt) == "table" and next(nxt) == nil) then break end
    if type(nxt) ~= "table" then
      error("get() must return the next pagination as a table (or nil when done), got a " .. type(nxt), 3)
    end
    local key = json.encode(nxt)
    if key == last then
      error("get() returned the same pagination twice (" .. key .. ") after page " .. pages ..
        "; stopping so the source does not loop forever", 3)
    end
    last, pagination = key, nxt
  end
end

function handle:read(opts)
  opts = opts or {}
  local env, records = self.env, {}
  local max = opts.max or rawget(env.config, "max_items")
  local function full() return max ~= nil and #records >= max end
  local state = opts.state or rawget(env, "state") or {}
  if type(rawget(env, "get")) == "function" then
    if type(rawget(env, "partitions")) == "function" then
      local list = env.partitions()
      if type(list) ~= "table" then
        error("partitions() must return a list of tables, one per partition, got a " .. type(list), 2)
      end
      for _, partition in ipairs(list) do
        if full() then break end
        local own = {}
        for k, v in pairs(state) do own[k] = v end
        own.partition = partition
        read_pages(env.get, records, opts.pagination or {}, own, full)
      end
    else
      read_pages(env.get, records, opts.pagination or {}, state, full)
    end
  else
    local run = self:fn("run", "run() (or get(pagination, state))")
    while not full() do
      local out, item = collecting(run)
      append(records, out)
      if item == nil then break end
      records[#records + 1] = item
    end
  end
  while max ~= nil and #records > max do records[#records] = nil end
  return records
end

function handle:run(item)
  local out, result = collecting(self:fn("run", "run(item)"), item)
  if result ~= nil then out[#out + 1] = result end
  return out
end

function handle:finalize()
  local fn = rawget(self.env, "finalize")
  if type(fn) ~= "function" then return {} end
  local out, result = collecting(fn)
  if result ~= nil then
    check_list(result, "finalize()")
    if type(result) == "table" then append(out, result) end
  end
  return out
end

function handle:write(items)
  if type(items) ~= "table" then error("c:write(items): items must be a list, got " .. type(items), 2) end
  local write = rawget(self.env, "write")
  if type(write) == "function" then
    local size = math.max(1, rawget(self.env.config, "batch_size") or #items)
    for i = 1, #items, size do write(table.move(items, i, math.min(i + size - 1, #items), 1, {})) end
  else
    local run = self:fn("run", "run(item) (or write(batch))")
    for _, item in ipairs(items) do run(item) end
  end
  local fn = rawget(self.env, "finalize")
  if type(fn) == "function" then fn() end
end

function handle:check()
  return self:fn("check", "check()")()
end

function connector(path, config, opts)
  if type(path) ~= "string" then error("connector(path [, config [, opts]]): path must be a string, got " .. type(path), 2) end
  if config ~= nil and type(config) ~= "table" then
    error("connector(path [, config [, opts]]): config must be a table, got " .. type(config), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error("connector(path [, config [, opts]]): opts must be a table, got " .. type(opts), 2)
  end
  local ok, text = pcall(json.encode, config or {})
  if not ok then error("connector(): config cannot be passed as JSON: " .. tostring(text), 2) end
  local state_ok, state = pcall(json.encode, opts and opts.state or {})
  if not state_ok then error("connector(): opts.state cannot be passed as JSON: " .. tostring(state), 2) end
  local problem = host.load_connector(path, text, getinfo(2, "l").currentline, state)
  if problem ~= nil then error(problem, 2) end
  local env = host.loaded
  host.loaded = nil
  return setmetatable({ env = env, path = path }, handle)
end

-- One Server-Sent Event in the event-stream format: a string is its data; a table has
-- event, id, retry and data (a table is sent as JSON; several lines become several data: lines).
local function sse_text(e)
  if type(e) ~= "table" then e = { data = e } end
  local out = {}
  if e.event ~= nil then out[#out + 1] = "event: " .. tostring(e.event) end
  if e.id ~= nil then out[#out + 1] = "id: " .. tostring(e.id) end
  if e.retry ~= nil then out[#out + 1] = "retry: " .. tostring(e.retry) end
  local data = type(e.data) == "table" and json.encode(e.data) or tostring(e.data == nil and "" or e.data)
  for line in (data .. "\n"):gmatch("(.-)\n") do out[#out + 1] = "data: " .. line end
  return table.concat(out, "\n") .. "\n\n"
end

local endings = { hold = true, close = true, drop = true }
local fields = { status = true, json = true, body = true, headers = true, sse = true, websocket = true, ending = true }
local function encode_response(r)
  if type(r) ~= "table" then error("a mock response must be a table such as { status = 200, json = {...} }, got " .. type(r), 4) end
  for k in pairs(r) do
    if not fields[k] then error("mock response: unknown field '" .. tostring(k) .. "' (use status, json, body, headers, sse, websocket, ending)", 4) end
  end
  if r.ending ~= nil and not endings[r.ending] then
    error("mock response: ending must be \"hold\", \"close\" or \"drop\", got " .. show(r.ending), 4)
  end
  if r.sse ~= nil or r.websocket ~= nil then
    local list = r.sse or r.websocket
    if type(list) ~= "table" then error("mock response: sse and websocket must be lists", 4) end
    local out = json.array()
    for i, item in ipairs(list) do
      if r.sse ~= nil then out[i] = sse_text(item)
      else out[i] = type(item) == "table" and json.encode(item) or tostring(item) end
    end
    local headers = json.array()
    for name, value in pairs(r.headers or {}) do headers[#headers + 1] = { name = tostring(name), value = tostring(value) } end
    return { status = 200, headers = headers, body = "", [r.sse ~= nil and "sse" or "websocket"] = out, ending = r.ending or "hold" }
  end
  local headers, typed = json.array(), false
  for name, value in pairs(r.headers or {}) do
    headers[#headers + 1] = { name = tostring(name), value = tostring(value) }
    if tostring(name):lower() == "content-type" then typed = true end
  end
  local body = r.body
  if body ~= nil and type(body) ~= "string" then error("mock response: body must be a string (use json = ... for tables)", 4) end
  if r.json ~= nil then
    body = json.encode(r.json)
    if not typed then headers[#headers + 1] = { name = "Content-Type", value = "application/json" } end
  end
  local status = r.status or 200
  if math.type(status) ~= "integer" or status < 100 or status > 599 then
    error("mock response: status must be an integer HTTP status, got " .. show(status), 4)
  end
  return { status = status, headers = headers, body = body or "" }
end

local function add(method, path, response)
  if type(method) ~= "string" then error("mock.route(method, path, response): method must be a string", 3) end
  if type(path) ~= "string" or path:sub(1, 1) ~= "/" then
    error("mock: path must be a string starting with '/', got " .. show(path), 3)
  end
  local list = (type(response) == "table" and response[1] ~= nil) and response or { response }
  local encoded = json.array()
  for i, r in ipairs(list) do encoded[i] = encode_response(r) end
  host.mock_add(method:upper(), path, json.encode(encoded))
end

mock = { url = host.url }
function mock.route(method, path, response) add(method, path, response) end
for _, method in ipairs { "get", "post", "put", "patch", "delete" } do
  mock[method] = function(path, response) add(method, path, response) end
end
function mock.requests(path)
  if path ~= nil and type(path) ~= "string" then error("mock.requests([path]): path must be a string", 2) end
  local list = json.decode(host.mock_requests(path))
  for _, r in ipairs(list) do
    if r.body ~= "" then
      local ok, decoded = pcall(json.decode, r.body)
      if ok then r.json = decoded end
    end
  end
  return list
end
function mock.reset() host.mock_reset() end

-- For the host: the tests registered, and running one with a fresh mock.
host.emit = capture_emit
host.count = function() return #tests end
host.info = function(i) return tests[i].name, tests[i].line end
host.run = function(i)
  host.mock_reset()
  tests[i].fn()
end
