-- The Lua side of `metrics` (MetricsLuaModule): runs once per node with the node's environment
-- and the host functions (record, clock) as its arguments.
local env, host = ...
local record, clock, unpack = host.record, host.clock, table.unpack
local pairs, type, error, pcall, tostring = pairs, type, error, pcall, tostring
local function raise(message)
  error((tostring(message):gsub("^luaflow/metrics%.lua:%d+: ", "")), 4)
end
local function put(kind, name, value, labels)
  local ok, message
  if labels == nil then
    ok, message = pcall(record, kind, name, value)
  elseif type(labels) ~= "table" then
    ok, message = false, "metrics." .. kind .. ": labels must be a table"
  else
    local args, n = {}, 0
    for k, v in pairs(labels) do args[n + 1] = k; args[n + 2] = v; n = n + 2 end
    ok, message = pcall(record, kind, name, value, unpack(args, 1, n))
  end
  if not ok then raise(message) end
end
env.metrics = {
  counter = function(name, n, labels) put("counter", name, n == nil and 1 or n, labels) end,
  gauge = function(name, value, labels) put("gauge", name, value, labels) end,
  histogram = function(name, value, labels) put("histogram", name, value, labels) end,
  timer = function(name, labels)
    local started = clock()
    return function()
      local seconds = clock() - started
      put("histogram", name, seconds, labels)
      return seconds
    end
  end,
}
