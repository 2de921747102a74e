-- Runs sample users through {{name}}.lua: records without an id are dropped, emails are
-- cleaned, and out/{{name}}.jsonl gets one record per role.
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set '{{name}}.required=["id","email"]'
local clean = transform("{{name}}.lua", { explode = "roles" })

-- Declared after the transform, so the transform keeps the name {{name}} whatever you call it.
local users = source.list { name = "users", items = {
  { id = 1, email = " Ada@Example.com", roles = { "admin", "dev" } },
  { id = json.null, email = "ghost@example.com", roles = json.array() },
  { id = 3, email = "KOFI@example.com ", roles = { "analyst" } },
} }

network {
  { users, clean, sink.file { path = "out/{{name}}.jsonl" } },
}
