-- The Lua side of a node's config. `attach` gives the script a `config` table that stays empty
-- while its top level runs (reading it there is an error: the schema that says which settings are
-- secret is not known yet); `secrets` returns the values of the fields the schema marks secret;
-- `reveal` then fills `config` with the given values (schema defaults and `env` fallbacks on
-- read); `validate` checks it and the common options against the script's `schema` with
-- ``ConfigSchema`` and returns every problem. Runs in the node's own state, before `init()` and
-- before any I/O.
local privileged, lib = ...
local getenv, setmetatable = privileged.getenv, privileged.setmetatable
local common, common_names = lib.common, {}
for k in pairs(common) do common_names[#common_names + 1] = k end
table.sort(common_names)

-- Environment variables the pipeline gives other nodes as `env:NAME` secrets (name -> that
-- node): a schema's `env` fallback never reads them, so no script reaches another node's secrets.
local others_secrets = {}

-- A field's value from its environment variable, converted to the field's type.
local function from_env(spec)
  if spec.env ~= nil and others_secrets[spec.env] then return nil end
  local v = spec.env ~= nil and getenv(spec.env) or nil
  if v == nil then return nil end
  local t = spec.type or "string"
  if t == "integer" then return math.tointeger(tonumber(v)) or v end
  if t == "number" then return tonumber(v) or v end
  if t == "boolean" then if v == "true" then return true elseif v == "false" then return false end end
  return v
end

local is_secret = lib.is_secret

-- The node's env, the values the user gave (pipeline.lua, --config, --set, env:NAME resolved),
-- and the script's `config`, which holds them once `reveal` ran.
local node_env, given, config
local revealed = false
-- Set by validate: from then on environment variables are read only for the fields the schema
-- had at load time (validation stored them), never for one a script adds at run time.
local validated = false

-- `what` is used at the top level of the script; `level` is that of the script's code.
local function too_early(what, level)
  error(what .. " is used at the top level of the script, before config is checked against the schema"
    .. " (and its secrets are known); use config in init() or a later function", level)
end

-- config.x reads the value given, else the environment variable, else the schema default,
-- from the end of the top level until validation stored every value.
local function attach(env, values, foreign)
  node_env, given, config, others_secrets = env, values, {}, foreign
  setmetatable(config, {
    __index = function(_, key)
      if not revealed then too_early("config." .. tostring(key), 3) end
      if validated then return nil end
      local schema = rawget(env, "schema")
      local field = type(schema) == "table" and schema[key]
      if type(field) ~= "table" then return nil end
      local v = from_env(field)
      if v == nil then return field.default end
      return v
    end,
    __newindex = function(t, key, value)
      if not revealed then too_early("config." .. tostring(key), 3) end
      rawset(t, key, value)
    end,
    __pairs = function(t)
      if not revealed then too_early("config", 4) end
      return next, t, nil
    end,
    __metatable = false,
  })
  env.config = config
end

-- Strings and numbers in `v` (a table's, at any depth), as text, into `out`.
local function collect(v, out, seen)
  if type(v) == "string" then out[#out + 1] = v
  elseif type(v) == "number" then out[#out + 1] = tostring(v)
  elseif type(v) == "table" and not seen[v] then
    seen[v] = true
    for _, item in next, v do collect(item, out, seen) end
  end
end

-- The password of a URL such as a DSN (`postgres://user:password@host/db`), percent-decoded.
local function url_password(v)
  local password = type(v) == "string" and v:match("^[%a][%w+.-]*://[^/@:]*:([^/@]*)@") or nil
  return password and (password:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end)) or nil
end

-- The values of the fields `spec` marks secret in `v`, at any depth of its nested tables. A field
-- with `redact = "url_password"` (a DSN) has only its password hidden: host and user stay readable.
local function secrets_in(spec, v, out, seen)
  if type(spec) ~= "table" or v == nil then return end
  if is_secret(spec) then
    if spec.redact == "url_password" then v = url_password(v) end
    collect(v, out, seen)
    return
  end
  for _, alt in ipairs(spec.any_of or {}) do secrets_in(alt, v, out, seen) end
  if type(v) ~= "table" then return end
  for k, field in pairs(spec.fields or {}) do secrets_in(field, v[k], out, seen) end
  for _, variant in pairs(spec.variants or {}) do
    for k, field in pairs(variant) do secrets_in(field, v[k], out, seen) end
  end
end

-- The values of the fields the schema marks secret (`type = "secret"` or `secret = true`),
-- whichever layer gives them: the host registers them before `reveal` lets script code see them.
local function secrets()
  local out, seen = {}, {}
  local schema = rawget(node_env, "schema")
  if type(schema) ~= "table" then return out end
  for key, spec in next, schema do
    if type(spec) == "table" then
      local v = rawget(given, key)
      if v == nil then v = from_env(spec) end
      if v == nil then v = spec.default end
      secrets_in(spec, v, out, seen)
    end
  end
  return out
end

local function reveal()
  if revealed then return end
  for k, v in next, given do rawset(config, k, v) end
  revealed = true
end

-- Returns the problems (JSON text: a list of { path, text, unknown }) and the keys of the
-- `path` fields. Without a schema only the common options are checked.
local function validate()
  validated = true
  local problems, paths = json.array(), {}
  local function fail(key, text) problems[#problems + 1] = { path = key, text = text, unknown = false } end
  local schema = rawget(node_env, "schema")
  if schema ~= nil and type(schema) ~= "table" then
    problems[1] = { path = "schema", text = "schema must be a table of fields, got a " .. type(schema), unknown = true }
    return json.encode(problems), paths
  end
  local keys = {}
  for key in pairs(schema or {}) do keys[#keys + 1] = tostring(key) end
  table.sort(keys)
  for _, key in ipairs(keys) do
    local spec = schema[key]
    if type(spec) ~= "table" then fail(key, "schema entry must be a table such as { type = \"string\" }"); goto continue end
    if common[key] then
      fail(key, "is a common option of every node; give the schema field another name"); goto continue
    end
    local v = rawget(config, key)
    if v == nil and others_secrets[spec.env] then
      fail(key, "the schema reads environment variable " .. spec.env .. " (env = \"" .. spec.env .. "\"), which the pipeline"
        .. " gives node '" .. others_secrets[spec.env] .. "' as a secret; a node reads another node's secrets only when"
        .. " pipeline.lua gives them to it: set " .. key .. " = \"env:" .. spec.env .. "\" on this node")
      goto continue
    end
    if v == nil then
      v = from_env(spec)
      if v ~= nil then rawset(config, key, v) end
    end
    if v == nil and spec.default ~= nil then v = spec.default; rawset(config, key, v) end
    if v == nil then
      if spec.required then
        fail(key, "is required" .. (spec.env and (" (set it in the config or the environment variable " .. spec.env .. ")") or "")
          .. (spec.description and (": " .. spec.description) or ""))
      end
      goto continue
    end
    local before = #problems
    lib.check_value(spec, v, key, problems, true)
    if spec.type == "path" and #problems == before then paths[#paths + 1] = key end
    ::continue::
  end
  local candidates = {}
  for _, key in ipairs(keys) do candidates[#candidates + 1] = key end
  for _, key in ipairs(common_names) do candidates[#candidates + 1] = key end
  local set = {}
  for key in next, config do set[#set + 1] = tostring(key) end
  table.sort(set)
  for _, key in ipairs(set) do
    local v = rawget(config, key)
    if common[key] then
      lib.check_value(lib.common[key], v, key, problems)
    elseif schema ~= nil and schema[key] == nil then
      lib.unknown(problems, "", key, candidates, #keys > 0
        and ("the schema declares: " .. table.concat(keys, ", ") .. ", besides the common options")
        or ("it takes only the common options: " .. table.concat(common_names, ", ")))
    end
  end
  return json.encode(problems), paths
end

return { attach = attach, secrets = secrets, reveal = reveal, validate = validate }
