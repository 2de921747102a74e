-- The one validator of connector config, in Lua: every node's config (scripts, built-ins written
-- in Lua and those written in Swift), `http.session{...}` and its nested tables are checked here
-- against `schema` tables, and `luaflow spec` turns the same tables into JSON Schema.
--
-- A schema is a table of fields; a field is a table:
--
--     { type = "string" | "secret" | "path" | "integer" | "number" | "boolean" | "url" | "email"
--              | "table" | "array" | "enum" | "any",
--       required, default, description, env, secret = true, min, max, exclusive_min,
--       min_length, max_length, length, pattern, values (enum),
--       fields = { ... }       -- a table with these settings only (unknown ones are errors)
--       variants = { name = { ... } }, tag = "type"   -- more fields chosen by the value of `tag`
--       one_of = { "a", "b" }  -- exactly one of these settings is given
--       items = { ... }        -- each entry of an array
--       each = { ... }         -- each entry of a table keyed by names (`resources = { repos = {...} }`)
--       any_of = { {...}, {...} } }  -- the value matches one of these fields
--
-- The chunk returns `{ common, check, check_value, unknown, suggest, missing_field, render, json_schema }`.
local M = {}

-- A duration: seconds, or text such as "500ms", "10s", "5m", "1h", "1d" (DurationText reads it).
local duration = { { type = "number", exclusive_min = 0 },
                   { type = "string", pattern = "^%s*%d+%.?%d*%s*m?s%s*$" },
                   { type = "string", pattern = "^%s*%d+%.?%d*%s*[mhd]%s*$" } }

-- Options every node accepts besides its schema's fields (NodeOptions reads them in Swift).
M.common = {
  name = { type = "string", description = "the node's name in messages, state, the config file and --set" },
  on_error = { type = "enum", values = { "fail", "skip", "dead_letter" }, default = "fail",
               description = "a failing record: stop the run, count and log it, or also write it to <node>.dead.jsonl" },
  max_items = { type = "integer", min = 0, description = "stop after this many records" },
  lifetime = { type = "number", exclusive_min = 0, description = "seconds a streaming source may run" },
  batch_size = { type = "integer", min = 1, description = "records per write(batch) call (sinks) or per queue batch (sources)" },
  memory_limit = { type = "integer", min = 0, default = 256, description = "memory limit of the node's Lua state, in MB (0: none)" },
  instruction_limit = { type = "integer", min = 0, default = 500000000, description = "instruction budget of one call into the script (0: none)" },
  time_limit = { type = "number", min = 0, default = 60, description = "seconds one call into the script may run (0: none)" },
  max_record_bytes = { type = "integer", min = 0, default = 67108864, description = "largest JSON text of one record, in bytes (0: none)" },
  workers = { any_of = { { type = "integer", min = 1 }, { type = "enum", values = { "auto" } } }, default = 1,
              description = "parallel copies of a transform (\"auto\": one per core)" },
  ordered = { type = "boolean", default = true, description = "keep the input order across workers" },
  lazy_records = { type = "boolean", default = true, description = "hand records to scripts as lazy tables" },
  checkpoint_every = { type = "integer", min = 1, description = "pages (get() sources) or records between checkpoints" },
  checkpoint_interval = { any_of = duration,
                          description = 'also checkpoint once this long passed since the last checkpoint and records arrived, e.g. "10s"' },
}

local function is_secret(spec)
  return type(spec) == "table" and (spec.type == "secret" or spec.secret == true)
end
M.is_secret = is_secret

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  return keys
end

-- Damerau-Levenshtein distance (optimal string alignment) between two names.
local function distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = { [0] = i } end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end

-- The candidate closest to `name`: at most 2 edits away (and fewer than its length), else one
-- that starts with it or that it starts with (3 characters at least); nil when none is close.
function M.suggest(name, candidates)
  name = tostring(name)
  local best, best_d
  for _, c in ipairs(candidates) do
    local d = distance(name, c)
    if d <= 2 and d < #name and (best_d == nil or d < best_d) then best, best_d = c, d end
  end
  if best then return best end
  for _, c in ipairs(candidates) do
    local short = math.min(#c, #name)
    if short >= 3 and (c:sub(1, #name) == name or name:sub(1, #c) == c) then return c end
  end
  return nil
end

-- The problem of a setting that names a field none of `records` holds (a typo such as
-- cursor_field = "updatedAt"): `setting` as the user wrote it, `what` the records
-- ("the 3 records of the first page"); lists the fields they hold, with the closest one.
function M.missing_field(setting, field, records, what)
  local seen, names = {}, {}
  for _, r in ipairs(records) do
    if type(r) == "table" then
      for k in pairs(r) do
        k = tostring(k)
        if not seen[k] then seen[k], names[#names + 1] = true, k end
      end
    end
  end
  table.sort(names)
  local close = M.suggest(field, names)
  local shown = #names > 30 and table.concat(names, ", ", 1, 30) .. ", …" or table.concat(names, ", ")
  return ("%s: field `%s` is in none of %s (fields present: %s)%s; list it in optional_fields if it may be absent")
    :format(setting, field, what, shown == "" and "none" or shown, close and ("; did you mean `" .. close .. "`?") or "")
end

-- `suggest` for the host: `request` is `{ name = ..., candidates = { ... } }`.
function M.suggest_among(request)
  return M.suggest(request.name, request.candidates)
end

local function join(path, key)
  return path == "" and tostring(key) or (path .. "." .. tostring(key))
end

local function describe(v, secret)
  if v == json.null then return "null" end
  local kind = math.type(v) or type(v)
  if secret then return (kind == "integer" and "an " or "a ") .. kind .. " (a secret: its value is not shown)" end
  if type(v) == "string" then return "the string '" .. v .. "'" end
  if type(v) == "table" then return "a table" end
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
M.types = checks
local expected = {
  string = "a string", secret = "a string", path = "a file path (string)", integer = "an integer",
  number = "a number", boolean = "true or false", url = "an http(s) URL", email = "an email address",
  table = "a table", array = "a list", any = "any value",
}

local function value_names(spec, quote)
  local names = {}
  for _, allowed in ipairs(spec.values or {}) do
    names[#names + 1] = (quote and type(allowed) == "string") and ('"' .. allowed .. '"') or tostring(allowed)
  end
  return names
end

-- What a field takes, for messages: "an integer of at least 1", "\"auto\"".
local function expectation(spec)
  if spec.any_of then
    local parts = {}
    for _, alt in ipairs(spec.any_of) do parts[#parts + 1] = expectation(alt) end
    return table.concat(parts, " or ")
  end
  local t = spec.type or "string"
  if t == "enum" then return table.concat(value_names(spec, true), " or ") end
  local text = expected[t] or t
  if spec.min then text = text .. " of at least " .. spec.min end
  if spec.exclusive_min then text = text .. " above " .. spec.exclusive_min end
  return text
end

-- A problem: `path` is the setting's dotted name, `text` what is wrong with its value, or,
-- for `unknown`, the whole message.
local function fail(out, path, text, unknown)
  out[#out + 1] = { path = path, text = text, unknown = unknown or false }
end

-- "unknown setting `paht`; did you mean `path`?" when a candidate is close, else the message
-- names the settings allowed at that level (`listing`, or "retry takes: ...").
function M.unknown(out, path, key, candidates, listing)
  local name = join(path, key)
  local close = M.suggest(key, candidates)
  local text
  if close then
    text = "unknown setting `" .. name .. "`; did you mean `" .. join(path, close) .. "`?"
  else
    listing = listing or ((path == "" and "it takes" or (path .. " takes")) .. ": "
      .. (#candidates > 0 and table.concat(candidates, ", ") or "nothing"))
    text = "unknown setting `" .. name .. "` (" .. listing .. ")"
  end
  fail(out, name, text, true)
end

local check_table

local check_value

-- Checks one value against its field; appends problems to `out` (marked `secret` for a
-- secret's value). With `fill`, the defaults of absent settings of nested tables are stored
-- in them (a node's own copy of its config).
function M.check_value(spec, v, path, out, fill)
  local before = #out
  check_value(spec, v, path, out, fill)
  if is_secret(spec) then
    for i = before + 1, #out do out[i].secret = true end
  end
end

function check_value(spec, v, path, out, fill)
  local secret = is_secret(spec)
  if spec.any_of then
    -- The problems of the alternative of the value's type (a table for a table), if one is.
    local matched
    for _, alt in ipairs(spec.any_of) do
      local trial = {}
      M.check_value(alt, v, path, trial)
      if #trial == 0 then return end
      local t = alt.type or "string"
      if matched == nil and t ~= "enum" and t ~= "any" and checks[t] and checks[t](v) then matched = trial end
    end
    if matched then
      for _, p in ipairs(matched) do out[#out + 1] = p end
      return
    end
    fail(out, path, "expected " .. expectation(spec) .. ", got " .. describe(v, secret))
    return
  end
  local t = spec.type or "string"
  if checks[t] == nil then fail(out, path, "unknown schema type '" .. tostring(t) .. "'"); return end
  if t == "enum" then
    for _, allowed in ipairs(spec.values or {}) do if allowed == v then return end end
    local close = type(v) == "string" and not secret and M.suggest(v, spec.values or {}) or nil
    fail(out, path, "expected one of " .. table.concat(value_names(spec), ", ") .. "; got " .. describe(v, secret)
      .. (close and ("; did you mean `" .. close .. "`?") or ""))
    return
  end
  if not checks[t](v) then fail(out, path, "expected " .. expected[t] .. ", got " .. describe(v, secret)); return end
  if type(v) == "number" then
    local got = secret and "" or (", got " .. v)
    if spec.min and v < spec.min then fail(out, path, "must be at least " .. spec.min .. got) end
    if spec.exclusive_min and v <= spec.exclusive_min then fail(out, path, "must be above " .. spec.exclusive_min .. got) end
    if spec.max and v > spec.max then fail(out, path, "must be at most " .. spec.max .. got) end
  elseif type(v) == "string" then
    if secret and v == "" and spec.min_length ~= 0 then
      fail(out, path, "is an empty secret (an environment variable set to nothing?); expected a non-empty string")
      return
    end
    local len = utf8.len(v) or #v
    local min_len = spec.min_length or (type(spec.length) == "table" and spec.length[1]) or nil
    local max_len = spec.max_length or (type(spec.length) == "table" and spec.length[2]) or nil
    if type(spec.length) == "number" then min_len, max_len = spec.length, spec.length end
    if min_len and len < min_len then fail(out, path, "must be at least " .. min_len .. " characters long") end
    if max_len and len > max_len then fail(out, path, "must be at most " .. max_len .. " characters long") end
    if spec.pattern and not v:find(spec.pattern) then
      fail(out, path, "does not match the pattern " .. spec.pattern .. (secret and "" or (": " .. describe(v))))
    end
  elseif type(v) == "table" then
    if t == "table" and (spec.fields or spec.variants) then check_table(spec, v, path, out, fill) end
    if t == "array" and spec.items then
      for i, item in ipairs(v) do M.check_value(spec.items, item, path .. "[" .. i .. "]", out, fill) end
    end
    if t == "table" and spec.each then
      for _, key in ipairs(sorted_keys(v)) do M.check_value(spec.each, v[key], join(path, key), out, fill) end
    end
  end
end

-- The fields a table of `spec` takes given its value `v`: `fields`, plus those of the variant
-- `v[tag]` names (all variants' when it names none, so no key is reported twice).
local function fields_of(spec, v, path, out)
  local fields = {}
  for k, f in pairs(spec.fields or {}) do fields[k] = f end
  if spec.variants == nil then return fields end
  local tag = spec.tag or "type"
  local names = sorted_keys(spec.variants)
  local chosen = v[tag]
  local tag_spec = { type = "enum", values = names }
  fields[tag] = tag_spec
  if chosen == nil then
    fail(out, join(path, tag), "is required: one of " .. table.concat(value_names(tag_spec), ", "))
  elseif spec.variants[chosen] == nil then
    M.check_value(tag_spec, chosen, join(path, tag), out)
  else
    for k, f in pairs(spec.variants[chosen]) do fields[k] = f end
    return fields
  end
  -- No variant chosen: its settings are known, none is required.
  for _, name in ipairs(names) do
    for k, f in pairs(spec.variants[name]) do
      if fields[k] == nil then
        local optional = {}
        for fk, fv in pairs(f) do optional[fk] = fv end
        optional.required = nil
        fields[k] = optional
      end
    end
  end
  return fields
end

-- Checks the settings of a table against `spec.fields` (and its variants, `one_of`).
function check_table(spec, v, path, out, fill)
  local fields = fields_of(spec, v, path, out)
  local names = sorted_keys(fields)
  for _, key in ipairs(names) do
    local field, value = fields[key], v[key]
    if value == nil or value == json.null then
      if field.required then fail(out, join(path, key), "is required" .. (field.description and (": " .. field.description) or "")) end
      if fill and value == nil and field.default ~= nil then v[key] = field.default end
    elseif key ~= (spec.tag or "type") or spec.variants == nil then
      M.check_value(field, value, join(path, key), out, fill)
    end
  end
  if spec.one_of then
    local given = {}
    for _, k in ipairs(spec.one_of) do if v[k] ~= nil then given[#given + 1] = k end end
    if #given == 0 then fail(out, path, "needs one of " .. table.concat(spec.one_of, ", "))
    elseif #given > 1 then fail(out, path, "has both " .. table.concat(given, " and ") .. "; choose one") end
  end
  local keys = {}
  for k in pairs(v) do if fields[k] == nil then keys[#keys + 1] = tostring(k) end end
  table.sort(keys)
  for _, k in ipairs(keys) do M.unknown(out, path, k, names) end
end

-- Checks a plain table of settings against a schema (`http.session{...}`); returns the problems.
function M.check(schema, values, path)
  local out = {}
  check_table({ fields = schema }, values, path or "", out)
  return out
end

-- One line per problem, as messages show them: "config.limit: expected an integer, got ...".
function M.render(problem, prefix)
  if problem.unknown then return problem.text end
  return prefix .. problem.path .. ": " .. problem.text
end

-- JSON Schema (draft 2020-12) of one field.
local function field_schema(spec)
  local s = {}
  if spec.any_of then
    s.anyOf = json.array()
    for _, alt in ipairs(spec.any_of) do s.anyOf[#s.anyOf + 1] = field_schema(alt) end
  else
    local t = spec.type or "string"
    local kinds = { string = "string", secret = "string", path = "string", url = "string", email = "string",
                    integer = "integer", number = "number", boolean = "boolean", table = "object", array = "array" }
    s.type = kinds[t]
    if t == "url" then s.format = "uri" end
    if t == "email" then s.format = "email" end
    if t == "enum" then s.enum = json.array(); for i, x in ipairs(spec.values or {}) do s.enum[i] = x end end
    if t == "array" and spec.items then s.items = field_schema(spec.items) end
    if t == "table" and (spec.fields or spec.variants) then M.object_schema(spec, s) end
    if t == "table" and spec.each then s.additionalProperties = field_schema(spec.each) end
  end
  s.description = spec.description
  -- A secret's default is a secret too: the schema says only that there is one.
  if is_secret(spec) then s.writeOnly = true; s["x-has-default"] = spec.default ~= nil or nil
  else s.default = spec.default end
  s.minimum, s.maximum, s.exclusiveMinimum = spec.min, spec.max, spec.exclusive_min
  local min_len, max_len = spec.min_length, spec.max_length
  if type(spec.length) == "number" then min_len, max_len = spec.length, spec.length end
  if type(spec.length) == "table" then min_len, max_len = spec.length[1], spec.length[2] end
  s.minLength, s.maxLength = min_len, max_len
  if spec.pattern then s["x-lua-pattern"] = spec.pattern end
  if spec.env then s["x-env"] = spec.env end
  return s
end

local function properties(fields, into, required)
  for _, key in ipairs(sorted_keys(fields)) do
    into[key] = field_schema(fields[key])
    if fields[key].required then required[#required + 1] = key end
  end
end

-- Fills `s` with the object schema of a table field: properties, required, variants as oneOf.
function M.object_schema(spec, s)
  s.type = "object"
  s.properties = {}
  local required = json.array()
  properties(spec.fields or {}, s.properties, required)
  if #required > 0 then s.required = required end
  if spec.variants then
    local tag = spec.tag or "type"
    local names = sorted_keys(spec.variants)
    s.properties[tag] = { type = "string", enum = json.array(names) }
    s.required = s.required or json.array()
    s.required[#s.required + 1] = tag
    s.oneOf = json.array()
    for _, name in ipairs(names) do
      local variant = { properties = { [tag] = { const = name } } }
      local vreq = json.array()
      properties(spec.variants[name], variant.properties, vreq)
      if #vreq > 0 then variant.required = vreq end
      s.oneOf[#s.oneOf + 1] = variant
    end
    -- The variants' own properties are evaluated inside oneOf: only 2020-12's
    -- unevaluatedProperties can forbid the rest.
    s.unevaluatedProperties = false
  else
    s.additionalProperties = false
  end
  if spec.one_of then
    s.oneOf = json.array()
    for _, k in ipairs(spec.one_of) do s.oneOf[#s.oneOf + 1] = { required = json.array { k } } end
  end
  return s
end

-- The JSON Schema document of a connector: its schema's fields and the common options.
function M.json_schema(schema, title)
  local fields = {}
  for k, f in pairs(M.common) do fields[k] = f end
  for k, f in pairs(schema or {}) do fields[k] = f end
  local s = M.object_schema({ fields = fields }, {
    ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
    title = title,
  })
  for k in pairs(M.common) do
    if schema == nil or schema[k] == nil then s.properties[k]["x-luaflow-common"] = true end
  end
  return s
end

return M
