/// The Lua side of a node's config. `attach` gives the script a `config` table that stays empty
/// while its top level runs (reading it there is an error: the schema that says which settings are
/// secret is not known yet); `secrets` returns the values of the fields the schema marks secret;
/// `reveal` then fills `config` with the given values (schema defaults and `env` fallbacks on
/// read); `validate` checks it against the script's `schema` and returns every problem. Runs in
/// the node's own state, before `init()` and before any I/O.
enum NodeConfig {
    /// Options every node accepts besides its schema's keys.
    static let commonOptions = ["name", "on_error", "max_items", "lifetime", "batch_size", "memory_limit",
                                "instruction_limit", "time_limit", "max_record_bytes", "workers", "ordered",
                                "lazy_records", "checkpoint_every"]

    static let prelude = #"""
    local privileged = ...
    local getenv, setmetatable = privileged.getenv, privileged.setmetatable
    local common = {}
    for _, k in ipairs { COMMON } do common[k] = true end

    -- A field's value from its environment variable, converted to the field's type.
    local function from_env(spec)
      local v = spec.env ~= nil and getenv(spec.env) or nil
      if v == nil then return nil end
      local t = spec.type or "string"
      if t == "integer" then return math.tointeger(tonumber(v)) or v end
      if t == "number" then return tonumber(v) or v end
      if t == "boolean" then if v == "true" then return true elseif v == "false" then return false end end
      return v
    end

    local function is_secret(spec)
      return type(spec) == "table" and (spec.type == "secret" or spec.secret == true)
    end

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
    local function attach(env, values)
      node_env, given, config = env, values, {}
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

    -- The values of the fields the schema marks secret (`type = "secret"` or `secret = true`),
    -- whichever layer gives them: the host registers them before `reveal` lets script code see them.
    local function secrets()
      local out, seen = {}, {}
      local schema = rawget(node_env, "schema")
      if type(schema) ~= "table" then return out end
      for key, spec in next, schema do
        if is_secret(spec) then
          local v = rawget(given, key)
          if v == nil then v = from_env(spec) end
          if v == nil then v = spec.default end
          collect(v, out, seen)
        end
      end
      return out
    end

    local function reveal()
      if revealed then return end
      for k, v in next, given do rawset(config, k, v) end
      revealed = true
    end

    -- How a message shows a value; a secret's only by its type.
    local function describe(v, secret)
      if v == json.null then return "null" end
      local kind = math.type(v) or type(v)
      if secret then return (kind == "integer" and "an " or "a ") .. kind .. " (a secret: its value is not shown)" end
      if type(v) == "string" then return "the string '" .. v .. "'" end
      return kind .. " " .. tostring(v)
    end

    local checks = {
      string = function(v) return type(v) == "string" end,
      secret = function(v) return type(v) == "string" end,
      path = function(v) return type(v) == "string" end,
      integer = function(v) return math.type(v) == "integer" end,
      number = function(v) return type(v) == "number" end,
      boolean = function(v) return type(v) == "boolean" end,
      url = function(v) return type(v) == "string" and v:match("^https?://[^%s/?#]+[^%s]*$") ~= nil end,
      email = function(v) return type(v) == "string" and v:match("^[^@%s]+@[^@%s]+%.[^@%s]+$") ~= nil end,
      table = function(v) return type(v) == "table" end,
      array = function(v) return type(v) == "table" end,
      enum = function() return true end,
      any = function() return true end,
    }
    local expected = {
      string = "a string", secret = "a string", path = "a file path (string)", integer = "an integer",
      number = "a number", boolean = "true or false", url = "an http(s) URL", email = "an email address",
      table = "a table", array = "a list",
    }

    -- Returns the problems and the keys of the `path` fields.
    local function validate()
      validated = true
      local problems, paths = {}, {}
      local schema = rawget(node_env, "schema")
      if schema == nil then return problems, paths end
      if type(schema) ~= "table" then return { "schema must be a table of fields, got a " .. type(schema) }, paths end
      local function fail(key, msg) problems[#problems + 1] = "config." .. key .. ": " .. msg end
      local keys = {}
      for key in pairs(schema) do keys[#keys + 1] = tostring(key) end
      table.sort(keys)
      for _, key in ipairs(keys) do
        local spec = schema[key]
        if type(spec) ~= "table" then fail(key, "schema entry must be a table such as { type = \"string\" }"); goto continue end
        local t = spec.type or "string"
        local secret = is_secret(spec)
        if checks[t] == nil then fail(key, "unknown schema type '" .. tostring(t) .. "'"); goto continue end
        if common[key] then
          fail(key, "is a common option of every node; give the schema field another name"); goto continue
        end
        local v = rawget(config, key)
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
        if t == "enum" then
          local ok = false
          for _, allowed in ipairs(spec.values or {}) do if allowed == v then ok = true end end
          if not ok then
            local names = {}
            for _, allowed in ipairs(spec.values or {}) do names[#names + 1] = tostring(allowed) end
            fail(key, "expected one of " .. table.concat(names, ", ") .. "; got " .. describe(v, secret))
          end
          goto continue
        end
        if not checks[t](v) then fail(key, "expected " .. expected[t] .. ", got " .. describe(v, secret)); goto continue end
        if t == "path" then paths[#paths + 1] = key end
        if type(v) == "number" then
          local got = secret and "" or (", got " .. v)
          if spec.min and v < spec.min then fail(key, "must be at least " .. spec.min .. got) end
          if spec.max and v > spec.max then fail(key, "must be at most " .. spec.max .. got) end
        elseif type(v) == "string" then
          local len = utf8.len(v) or #v
          local min_len = spec.min_length or (type(spec.length) == "table" and spec.length[1]) or nil
          local max_len = spec.max_length or (type(spec.length) == "table" and spec.length[2]) or nil
          if type(spec.length) == "number" then min_len, max_len = spec.length, spec.length end
          if min_len and len < min_len then fail(key, "must be at least " .. min_len .. " characters long") end
          if max_len and len > max_len then fail(key, "must be at most " .. max_len .. " characters long") end
          if spec.pattern and not v:find(spec.pattern) then
            fail(key, "does not match the pattern " .. spec.pattern .. (secret and "" or (": " .. describe(v))))
          end
        end
        ::continue::
      end
      for key in pairs(config) do
        if schema[key] == nil and not common[key] then
          fail(tostring(key), "unknown setting (the schema declares: " .. table.concat(keys, ", ") .. ")")
        end
      end
      return problems, paths
    end

    return { attach = attach, secrets = secrets, reveal = reveal, validate = validate }
    """#.replacingOccurrences(of: "COMMON", with: commonOptions.map { "\"\($0)\"" }.joined(separator: ", "))
}
