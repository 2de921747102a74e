-- Reads every record of the {{name}} API into out/{{name}}.jsonl.
--
--   luaflow run pipeline.lua --set {{name}}.base_url=https://your.api.example/v1
--
-- A token goes in the environment ({{NAME}}_TOKEN=...), never in this file.
local api = source("{{name}}.lua", { base_url = "https://api.example.com/v1" })

network {
  { api, sink.file { path = "out/{{name}}.jsonl" } },
}
