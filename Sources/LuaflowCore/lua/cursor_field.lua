-- Incremental sync for a script source that declares `cursor_field` (CursorTracker): wraps its
-- `get` (or `run`) so every record it returns updates the running maximum of that field.
-- Arguments: the function, the field, json, "get" or "run", the script's environment, the
-- config_schema module, the setting as errors name it. Returns
-- the wrapped function, one that gives the cursor as JSON and one that starts it at a committed
-- value.
--
-- A script that also declares `primary_key` (a field name or a list of them) keeps, with the
-- maximum, the keys of the records at it (and down to `cursor_floor(max)` when the script defines
-- that function): the cursor is then `{"value": max, "keys": {key: value}}`, and `get` sees
-- `state.cursor = max` and `state.cursor_keys = {key = value}`, so it can leave out records an
-- inclusive filter or a look-back sends again.
--
-- A field none of the first records holds is a typo (`updatedAt` for `updated_at`): the cursor
-- would never move and every run would read everything again, so the first page (for `run`, the
-- first 100 records) without it raises, naming the fields present. Checked once; a field the
-- script lists in `optional_fields` is not checked.
local fn, field, json, kind, env, lib, setting = ...
local max
local FIRST = 100
local verified = false
for _, f in ipairs(type(env.optional_fields) == "table" and env.optional_fields or {}) do
  if f == field then verified = true end
end

-- Raises unless one of `records` holds the field; once one does, never checks again.
local function verify(records, what)
  for i = 1, #records do
    local r = records[i]
    if type(r) == "table" and r[field] ~= nil then verified = true; return end
  end
  error(lib.missing_field(setting, field, records, what), 0)
end
local keys = nil
local key_fields = env.primary_key
if type(key_fields) == "string" then key_fields = { key_fields } end
if key_fields ~= nil and type(key_fields) ~= "table" then
  error("primary_key must be a field name or a list of field names, got a " .. type(key_fields), 0)
end

-- The record's key as text: its primary key fields' values, JSON-encoded and joined.
local function key_of(r)
  local parts = {}
  for i, f in ipairs(key_fields) do
    local v = r[f]
    if v == nil or v == json.null then return nil end
    parts[i] = json.encode(v)
  end
  return table.concat(parts, ",")
end

local function see(r)
  local v = type(r) == "table" and r[field] or nil
  if v == nil or v == json.null then return end
  if type(v) ~= "number" and type(v) ~= "string" then
    error(("cursor_field '%s' must hold numbers or strings, got a %s"):format(field, type(v)), 0)
  end
  if max == nil then max = v
  elseif type(v) ~= type(max) then
    error(("cursor_field '%s' holds both %ss and %ss"):format(field, type(max), type(v)), 0)
  elseif v > max then max = v end
  if key_fields then
    local k = key_of(r)
    if k ~= nil then keys = keys or {}; keys[k] = v end
  end
end

-- The keys worth keeping: those at or above cursor_floor(max) (default: at max).
local function kept_keys()
  local floor = max
  if type(env.cursor_floor) == "function" then floor = env.cursor_floor(max) end
  local out = {}
  for k, v in pairs(keys or {}) do
    if type(v) == type(floor) and v >= floor then out[k] = v end
  end
  keys = out
  return out
end

local wrapped
if kind == "get" then
  wrapped = function(pagination, state)
    local c = state.cursor
    if type(c) == "table" then state.cursor, state.cursor_keys = c.value, c.keys end
    for _, ahead in ipairs(state.upcoming or {}) do -- partitions_ahead: the states get() will see
      c = ahead.state.cursor
      if type(c) == "table" then ahead.state.cursor, ahead.state.cursor_keys = c.value, c.keys end
    end
    local records, next = fn(pagination, state)
    if type(records) == "table" then
      if not verified and #records > 0 then verify(records, ("the %d records of the first page"):format(#records)) end
      for i = 1, #records do see(records[i]) end
    end
    return records, next
  end
else
  local first = {} -- the records so far while none holds the field
  wrapped = function()
    local r = fn()
    if not verified then
      if r ~= nil then first[#first + 1] = r end
      if (type(r) == "table" and r[field] ~= nil) then verified, first = true, nil
      elseif r == nil or #first >= FIRST then
        if #first > 0 then verify(first, ("the first %d records"):format(#first)) end
      end
    end
    see(r)
    return r
  end
end
return wrapped,
  function()
    if max == nil then return nil end
    if key_fields == nil then return json.encode(max) end
    return json.encode({ value = max, keys = kept_keys() })
  end,
  function(text)
    max, keys = nil, nil
    if text == nil then return end
    local v = json.decode(text)
    if type(v) == "table" and v ~= json.null then
      max = v.value
      if type(v.keys) == "table" then keys = {}; for k, kv in pairs(v.keys) do keys[k] = kv end end
    else
      max = v
    end
  end
