-- Incremental sync for a script source that declares `cursor_field` (CursorTracker): wraps its
-- `get` (or `run`) so every record it returns updates the running maximum of that field.
-- Arguments: the function, the field, json, "get" or "run". Returns the wrapped function, one
-- that gives the maximum as JSON and one that starts it at a committed value.
local fn, field, json, kind = ...
local max
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
end
local wrapped
if kind == "get" then
  wrapped = function(pagination, state)
    local records, next = fn(pagination, state)
    if type(records) == "table" then for i = 1, #records do see(records[i]) end end
    return records, next
  end
else
  wrapped = function()
    local r = fn()
    see(r)
    return r
  end
end
return wrapped,
  function() if max ~= nil then return json.encode(max) end end,
  function(text) if text == nil then max = nil else max = json.decode(text) end end
