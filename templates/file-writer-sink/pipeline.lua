-- Writes sample records to out/{{name}}.md as a Markdown table with {{name}}.lua.
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set {{name}}.format=jsonl --set {{name}}.path=out/{{name}}.jsonl
local table_file = sink("{{name}}.lua", { path = "out/{{name}}.md", columns = { "name", "role", "since" } })

-- Declared after the sink, so the sink keeps the name {{name}} whatever you call it.
local people = source.list { name = "people", items = {
  { name = "Ada Lovelace", role = "engineer", since = 1843 },
  { name = "Lin Mei", role = json.null, since = 2021 },
  { name = "Kofi Mensah", role = "analyst", since = 2019 },
} }

network {
  { people, table_file },
}
