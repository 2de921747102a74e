-- The config of a connector used on its own (`luaflow discover`, ConnectorConfig): a config
-- file's settings, then key=value overrides, then `stream`, with env:NAME values resolved.
-- Argument: resolve from env_references.lua.
local resolve = ...
return function(file_json, sets_json, stream)
  local cfg = json.decode(file_json)
  for _, s in ipairs(json.decode(sets_json)) do
    local ok, v = pcall(json.decode, s.value)
    cfg[s.key] = ok and v or s.value
  end
  if stream ~= nil then cfg.stream = stream end
  local problems, values = resolve(cfg)
  if next(cfg) == nil then return "{}", problems, values end
  return json.encode(cfg), problems, values
end
