-- The Lua side of `sql` (SQLLuaModule): runs once per node, in the node's environment, with the
-- host functions of SQLLuaBinding as its argument. Defines the global `sql`.
local host = ...
local json = json
local open = io.open  -- the node's confined io.open, taken before the script can replace it
local mtype = math.type

-- Calls a host function; a failure is re-raised at the caller's caller (the user's script),
-- without this file's location.
local function checked(ok, ...)
  if ok then return ... end
  local message = tostring((...)):gsub("^luaflow/sql%.lua:%d+: ", "")
  error(message, 3)
end

-- A parameter with its type, for SQLLuaBinding: { "i", 5 }, { "s", "x" }, { "n" }...
local function typed(v)
  local t = type(v)
  if v == nil or v == json.null then return json.array { "n" } end
  if t == "boolean" then return json.array { "b", v } end
  if t == "number" then return json.array { mtype(v) == "integer" and "i" or "f", v } end
  if t == "string" then return json.array { "s", v } end
  if t == "table" then return json.array { "j", json.encode(v) } end
  error("sql: a parameter cannot be a " .. t, 4)
end

-- params: nil, a list (bound to $1, $2... or ?) or a table of names (bound to :name).
local function encoded(params)
  if params == nil then return nil end
  if type(params) ~= "table" then error("sql: parameters must be a table (a list, or names to values)", 3) end
  if next(params) == nil then return nil end
  if params[1] ~= nil then
    local list = json.array()
    for i = 1, #params do list[i] = typed(params[i]) end
    return json.encode(list)
  end
  local named = {}
  for k, v in pairs(params) do
    if type(k) ~= "string" then error("sql: parameters are a list or a table of names, not both", 3) end
    named[k] = typed(v)
  end
  return json.encode(named)
end

local function statement(sql_text, what)
  if type(sql_text) ~= "string" then error(what .. ": the statement must be a string, got " .. type(sql_text), 3) end
  return sql_text
end

local Connection = {}
Connection.__index = Connection

-- db:query(sql, params) -> an iterator over the rows, each a table of column = value; the rows
-- are read in chunks as the loop goes on.
function Connection:query(sql_text, params)
  local q = checked(pcall(host.query, self.id, statement(sql_text, "db:query"), encoded(params)))
  local rows, i = nil, 0
  return function()
    if q == nil then return nil end
    if rows == nil or i >= #rows then
      local chunk = checked(pcall(host.fetch, q, 500))
      if chunk == nil then q = nil; return nil end
      rows, i = json.decode(chunk), 0
    end
    i = i + 1
    return rows[i]
  end
end

-- db:exec(sql, params) -> the number of rows the statement changed (nil when it has none).
function Connection:exec(sql_text, params)
  -- Not a tail call: checked raises at level 3, which must be the script that called exec.
  local changed = checked(pcall(host.exec, self.id, statement(sql_text, "db:exec"), encoded(params)))
  return changed
end

-- db:transaction(fn): runs fn(db) between BEGIN and COMMIT; an error rolls back and is raised again.
function Connection:transaction(fn)
  if type(fn) ~= "function" then error("db:transaction expects a function", 2) end
  checked(pcall(host.exec, self.id, "begin", nil))
  local results = table.pack(pcall(fn, self))
  if results[1] then
    checked(pcall(host.exec, self.id, "commit", nil))
    return table.unpack(results, 2, results.n)
  end
  pcall(host.exec, self.id, "rollback", nil)
  error(results[2], 0)
end

-- db:close(): closes the connection now (it closes with the node anyway).
function Connection:close()
  host.close(self.id)
end

sql = {
  -- sql.connect(target): a PostgreSQL DSN (postgres://...) or a SQLite file the node may open
  -- (like io.open: under the pipeline's directory or a configured path), or ":memory:".
  connect = function(target)
    if type(target) ~= "string" then
      error("sql.connect expects a DSN (postgres://...) or a SQLite file path, got " .. type(target), 2)
    end
    if target:sub(1, 4) == "env:" then
      error("sql.connect: env: references are resolved in the node's config; pass the setting (sql.connect(config.dsn))", 2)
    end
    if not target:match("^postgres") and target ~= ":memory:" then
      local f, why = open(target, "a")
      if not f then error("sql.connect: " .. tostring(why), 2) end
      f:close()
    end
    return setmetatable({ id = checked(pcall(host.connect, target)) }, Connection)
  end,
}
