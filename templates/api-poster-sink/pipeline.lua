-- POSTs three sample records to the {{name}} API with {{name}}.lua, one request per record.
--
--   luaflow run pipeline.lua --set {{name}}.base_url=https://your.api.example/v1
--
-- A token goes in the environment ({{NAME}}_TOKEN=...), never in this file.
local api = sink("{{name}}.lua", { base_url = "https://api.example.com/v1" })

-- Declared after the sink, so the sink keeps the name {{name}} whatever you call it.
local signups = source.list { name = "signups", items = {
  { email = "ada@example.com", plan = "pro" },
  { email = "lin@example.com", plan = "free" },
  { email = "kofi@example.com", plan = "team" },
} }

network {
  { signups, api },
}
