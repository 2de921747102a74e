-- Installs `time` and `every` into a Lua node's environment (NodeTimers.install, for every node).
-- Arguments: the environment and the host functions (now, sleep, register, due; timers_allowed:
-- the node may have timers, a transform or a sink). Returns fire(): calls each timer that is due, in order
-- (the host calls it on the node's thread between batches and when idle).
local env, host = ...
local timers_allowed = host.timers_allowed
local timers = {}

env.time = { now = host.now, sleep = host.sleep }

function env.every(seconds, fn)
  if not timers_allowed then error("every(seconds, fn) works in transforms and sinks", 2) end
  if type(seconds) ~= "number" or seconds <= 0 then
    error("every(seconds, fn): seconds must be a positive number, got " .. tostring(seconds), 2)
  end
  if type(fn) ~= "function" then error("every(seconds, fn): fn must be a function, got " .. type(fn), 2) end
  local n = host.register(seconds)
  if not n then error("every(seconds, fn) is called at the top level of the script: timers are set before the run starts", 2) end
  timers[n] = fn
end

return function()
  for _, n in ipairs({ host.due() }) do timers[n]() end
end
