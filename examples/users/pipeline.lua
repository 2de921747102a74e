-- Reference benchmark job (see scripts/bench). Generate input with:
--   python3 ../shared/bench/gen_users.py 1000 examples/users/data/users.jsonl
-- or point at any file: luaflow run examples/users/pipeline.lua --set users.input.path=/tmp/users.jsonl
local users  = source.file { name = "users.input", path = "data/users.jsonl" }
local active = transform("transforms/active_adults.lua", { workers = "auto" })
local out    = sink.file { name = "users.output", path = "out/active_users.jsonl" }

network {
  { users, active },
  { active, out },
}
