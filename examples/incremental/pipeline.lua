-- Follow a change log incrementally: each run appends only the new changes to out/changes.jsonl.
--   luaflow run examples/incremental/pipeline.lua          # first run: every change
--   (append lines to data/changes.jsonl)
--   luaflow run examples/incremental/pipeline.lua          # only the new ones
--   luaflow state show examples/incremental/pipeline.lua   # the cursor
local changes = source("connectors/changes.lua")
network {
  { changes, sink.file { path = "out/changes.jsonl", mode = "append" } },
}
