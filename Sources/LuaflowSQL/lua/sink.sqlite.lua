-- sink.sqlite is written in Swift (SQLiteDestination); this is its config schema, checked when
-- the node loads and shown by `luaflow check --options` and `luaflow spec`. The loading options
-- both database sinks share (table_loading.lua) are added after it.
schema = {
  path = { type = "path", required = true, min_length = 1,
           description = 'the SQLite database file, relative to pipeline.lua, e.g. "out/users.db" (created when missing)' },
}
