-- The HTTP benchmark job (scripts/bench http): page through a local API with a cursor and write
-- every record as JSON Lines. The bench sets the real address with --set users.base_url=...
local users = source.http {
  name = "users",
  base_url = "http://127.0.0.1:8080",
  path = "/users",
  paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next_cursor" },
  records_path = "data",
}
local out = sink.file { name = "out", path = "out/users.jsonl" }

network { { users, out } }
