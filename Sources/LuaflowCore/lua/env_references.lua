-- `env:NAME` values in node configs (EnvReferences): every string of exactly that form, at any
-- depth, is replaced by the environment variable's value. Argument: the privileged helpers.
-- Returns resolve(cfg) -> problems, values (the values are secrets).
local getenv = (...).getenv
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

return function(cfg)
  local problems, values = {}, {}
  local function walk(t, path)
    for _, k in ipairs(sorted_keys(t)) do
      local v, key = t[k], path .. "." .. tostring(k)
      if type(v) == "string" then
        local name = v:match("^env:([%a_][%w_]*)$")
        if name then
          local value = getenv(name)
          if value == nil then
            problems[#problems + 1] = key .. ": environment variable " .. name .. " is not set (the config says \"env:" .. name .. "\")"
          else
            t[k] = value
            values[#values + 1] = value
          end
        end
      elseif type(v) == "table" then
        walk(v, key)
      end
    end
  end
  walk(cfg, "config")
  return problems, values
end
