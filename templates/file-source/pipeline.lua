-- Reads data/{{name}}.log with {{name}}.lua and writes the records to out/{{name}}.jsonl.
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set {{name}}.path=/var/log/app.log
local lines = source("{{name}}.lua", { path = "data/{{name}}.log" })

network {
  { lines, sink.file { path = "out/{{name}}.jsonl" } },
}
