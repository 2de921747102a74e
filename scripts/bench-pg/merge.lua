-- scripts/bench pg, merge: the reference users file upserted on id.
local users = source.file { name = "users", path = "users.jsonl" }
local out = sink.postgres { name = "pg", dsn = "env:PG_DSN", table = "users_luaflow_merge",
                            write_disposition = "merge", primary_key = { "id" } }
network { { users, out } }
