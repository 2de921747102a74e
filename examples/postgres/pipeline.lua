-- The users job into PostgreSQL: active users, names upper-cased, `adult` added, upserted on id
-- into raw.active_users (a rerun updates the same rows). Start a local PostgreSQL and run:
--   docker run -d --name luaflow-pg -p 5432:5432 -e POSTGRES_PASSWORD=luaflow postgres:15
--   export PG_DSN="postgres://postgres:luaflow@localhost:5432/postgres?sslmode=disable"
--   luaflow run examples/postgres/pipeline.lua
local users  = source.file { path = "data/users.jsonl" }
local active = transform("transforms/active_adults.lua")
local db     = sink.postgres { name = "db", dsn = "env:PG_DSN", schema = "raw", table = "active_users",
                               write_disposition = "merge", primary_key = { "id" } }

network {
  { users, active },
  { active, db },
}
