-- scripts/bench pg: the reference users file into PostgreSQL, the records as they are.
-- PG_DSN names the server; --set sets the input, the table and the disposition.
local users = source.file { name = "users", path = "users.jsonl" }
local out = sink.postgres { name = "pg", dsn = "env:PG_DSN", table = "users_luaflow" }
network { { users, out } }
