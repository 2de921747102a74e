-- Copies new and changed {{name}} records into out/{{name}}.jsonl. Run it again later: with
-- state kept by the host, only records changed since the last run are fetched.
--
--   luaflow run pipeline.lua --set {{name}}.base_url=https://your.api.example/v1
--
-- A token goes in the environment ({{NAME}}_TOKEN=...), never in this file.
local changes = source("{{name}}.lua", { base_url = "https://api.example.com/v1" })

network {
  { changes, sink.file { path = "out/{{name}}.jsonl" } },
}
