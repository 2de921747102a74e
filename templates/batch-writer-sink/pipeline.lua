-- Sends 250 generated events to {{name}}.lua in batches of 100: out/{{name}}.jsonl gets three
-- lines, of 100, 100 and 50 records.
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set {{name}}.batch_size=10
local bulk = sink("{{name}}.lua", { path = "out/{{name}}.jsonl", batch_size = 100 })

-- Declared after the sink, so the sink keeps the name {{name}} whatever you call it.
local events = {}
for i = 1, 250 do events[i] = { id = i, kind = i % 3 == 0 and "purchase" or "view" } end
local generated = source.list { name = "events", items = events }

network {
  { generated, bulk },
}
