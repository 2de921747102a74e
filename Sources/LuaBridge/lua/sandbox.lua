-- The sandboxed standard library (installed by LuaState.installSandbox, Sandbox.swift).
-- Arguments: the C helpers (json, emit, open, mark_metatables), the host functions ({ log }) and
-- the state's default FileAccess ({ roots, readonly, hidden }). Returns make_env(label, files),
-- which builds one script's environment, and the host-only privileged helpers.
local helpers, host, default_files = ...
local G = _G
local json, emit, open_checked = helpers.json, helpers.emit, helpers.open
local real_load = load
-- Kept for the host's own preludes (pipeline DSL, config schema); never given to scripts.
local privileged = { dump = string.dump, getinfo = debug.getinfo, getupvalue = debug.getupvalue,
  getenv = os.getenv, setmetatable = setmetatable, make_env = nil, allow_files = nil }
local pairs, ipairs, type, tostring, select, error = pairs, ipairs, type, tostring, select, error
local setmetatable, concat = setmetatable, table.concat

local function copy(t, except)
  local c = {}
  for k, v in pairs(t) do if not (except and except[k]) then c[k] = v end end
  return c
end

local base = {}
for _, name in ipairs { "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
    "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type",
    "xpcall", "_VERSION" } do
  base[name] = G[name]
end
local gc = collectgarbage
base.collectgarbage = function(opt, ...)
  if opt == nil or opt == "collect" or opt == "count" or opt == "step" then return gc(opt, ...) end
  error("collectgarbage('" .. tostring(opt) .. "') is not allowed in luaflow scripts", 2)
end
base.emit = emit
local mark_metatables = helpers.mark_metatables
base.setmetatable = function(t, mt)
  mark_metatables()
  local ok, result = pcall(setmetatable, t, mt)
  if not ok then error(result, 2) end -- at the script's line
  return result
end
-- Copied into each environment, so a script that changes string.format changes only its own.
local libraries = {
  string = copy(string, { dump = true }), table = copy(table), math = copy(math), utf8 = copy(utf8),
  coroutine = copy(coroutine), os = { clock = os.clock, time = os.time, date = os.date, difftime = os.difftime },
}

-- Methods of strings ("x":upper()) come from a copy no script can reach or change.
local string_mt = getmetatable("")
string_mt.__index = copy(libraries.string)
string_mt.__metatable = false
getmetatable(io.stdout).__metatable = false

local function read_only(t, name)
  return setmetatable({}, { __index = t, __metatable = false, __newindex = function(_, key)
    error(name .. " is read-only (cannot set " .. name .. "." .. tostring(key) .. ")", 2)
  end })
end

local function message(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do
    local v = select(i, ...)
    if type(v) == "table" and i == n and n > 1 then
      local ok, text = pcall(json.encode, v)
      parts[i] = ok and text or tostring(v)
    else
      parts[i] = tostring(v)
    end
  end
  return concat(parts, " ")
end

-- io.open and io.lines confined to `files` ({ roots, readonly, hidden }, see FileAccess).
local function io_for(files)
  return {
    open = function(path, mode)
      mode = mode or "r"
      if type(path) ~= "string" then error("io.open: path must be a string", 2) end
      if type(mode) ~= "string" or not mode:match("^[rwa]%+?b?$") then
        error("io.open: invalid mode '" .. tostring(mode) .. "'", 2)
      end
      return open_checked(path, mode, files)
    end,
    lines = function(path, ...)
      if type(path) ~= "string" then error("io.lines: path must be a string", 2) end
      local f, why = open_checked(path, "r", files)
      if not f then error(why, 2) end
      local read = f:lines(...)
      local function closing(first, ...)
        if first == nil then f:close() end
        return first, ...
      end
      return function() return closing(read()) end, nil, nil, f
    end,
  }
end

local env_mt = { __metatable = false }
local policies = setmetatable({}, { __mode = "k" })

local function policy_copy(files)
  return { roots = copy(files.roots or {}), readonly = copy(files.readonly or {}), hidden = copy(files.hidden or {}) }
end

-- `label` names the script in its print/log output (several scripts may share one state);
-- `files` is its FileAccess (the state's default when nil).
local function make_env(label, files)
  files = files or policy_copy(default_files)
  local env = setmetatable(copy(base), env_mt)
  for name, library in pairs(libraries) do env[name] = copy(library) end
  env.json = read_only(json, "json")
  env.io = io_for(files)
  env._G = env
  env.print = function(...) host.log("info", message(...), label) end
  env.log = {}
  for _, level in ipairs { "debug", "info", "warn", "error" } do
    env.log[level] = function(...) host.log(level, message(...), label) end
  end
  env.load = function(chunk, name, mode, e)
    if mode ~= nil and mode ~= "t" then error("load: only text chunks are allowed (mode 't')", 2) end
    if type(chunk) == "string" and chunk:byte(1) == 27 then
      return nil, "attempt to load a binary chunk (only text chunks are allowed)"
    end
    return real_load(chunk, name, "t", e or env)
  end
  local modules = {}
  env.require = function(name)
    if type(name) ~= "string" or not name:match("^[%w_][%w_%.%-]*$") then
      error("require: invalid module name '" .. tostring(name) .. "'", 2)
    end
    if modules[name] ~= nil then return modules[name] end
    local rel = name:gsub("%.", "/") .. ".lua"
    local f, why = open_checked(rel, "r", files)
    if not f then
      if not why:find("access denied", 1, true) then why = "module not found (looked for " .. rel .. ")" end
      error("require '" .. name .. "': " .. why, 2)
    end
    local code = f:read("a")
    f:close()
    local chunk, err = real_load(code, "@" .. rel, "t", make_env(label, files))
    if not chunk then error(err, 0) end
    local result = chunk(name)
    if result == nil then result = true end
    modules[name] = result
    return result
  end
  policies[env] = files
  return env
end

-- Scrub what a script could reach through the real globals.
os.execute, os.exit, os.remove, os.rename, os.tmpname, os.getenv, os.setlocale = nil
io.popen = nil
G.package, G.debug, G.dofile, G.loadfile, G.require = nil
privileged.make_env = make_env
privileged.allow_files = function(env, dir)
  local roots = policies[env].roots
  roots[#roots + 1] = dir
end
return make_env, privileged
