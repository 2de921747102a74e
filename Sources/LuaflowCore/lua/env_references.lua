-- `env:NAME` values in node configs (EnvReferences): every string of exactly that form, at any
-- depth, is replaced by the environment variable's value. Arguments: the privileged helpers and
-- the host's `is_credential(path)`. Returns resolve(cfg) -> problems, secrets (the values of
-- settings named like credentials), names (the variables named).
local privileged, host = ...
local getenv, is_credential = privileged.getenv, host.is_credential
local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

return function(cfg)
  local problems, values, names = {}, {}, {}
  local function walk(t, path)
    for _, k in ipairs(sorted_keys(t)) do
      local v, key = t[k], path .. "." .. tostring(k)
      if type(v) == "string" then
        local name = v:match("^env:([%a_][%w_]*)$")
        if name then
          names[#names + 1] = name
          local value = getenv(name)
          if value == nil then
            problems[#problems + 1] = key .. ": environment variable " .. name .. " is not set (the config says \"env:" .. name .. "\")"
          else
            t[k] = value
            if is_credential(key) then values[#values + 1] = value end
          end
        end
      elseif type(v) == "table" then
        walk(v, key)
      end
    end
  end
  walk(cfg, "config")
  return problems, values, names
end
