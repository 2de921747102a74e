-- Follows the {{name}} feed and writes each event to out/{{name}}.jsonl and to the terminal, for
-- `lifetime` seconds; the next run starts after the last event this one committed. Ctrl-C or
-- SIGTERM stops it without publishing, keeping its progress for the next run.
--
--   luaflow run pipeline.lua --set {{name}}.base_url=https://your.api.example/v1
--
-- A token goes in the environment ({{NAME}}_TOKEN=...), never in this file.
local feed = source("{{name}}.lua", {
  base_url = "https://stream.example.com/v1",
  lifetime = 600,
})

network {
  { feed, sink.file { path = "out/{{name}}.jsonl" } },
  { feed, sink.stdout {} },
}
