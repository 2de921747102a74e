-- Copies {{name}} records into out/{{name}}.jsonl: all of them on a first run, and only those
-- changed since the last run once the host passes state.cursor (see {{name}}.lua). Until then,
-- --set {{name}}.start_date=2024-05-01T00:00:00Z limits what a run fetches.
--
--   luaflow run pipeline.lua --set {{name}}.base_url=https://your.api.example/v1
--
-- A token goes in the environment ({{NAME}}_TOKEN=...), never in this file.
local changes = source("{{name}}.lua", { base_url = "https://api.example.com/v1" })

network {
  { changes, sink.file { path = "out/{{name}}.jsonl" } },
}
