-- source.sqlite is written in Swift (SQLSourceRuntime over SQLiteRowReader); this is its
-- config schema, checked when the node loads and shown by `luaflow check --options` and `luaflow spec`.
schema = {
  path = { type = "path", required = true, min_length = 1, description = 'the database file, relative to pipeline.lua, e.g. "data/app.db"' },
  table = { type = "string", min_length = 1, description = "read this whole table (or give query)" },
  query = { type = "string", min_length = 1,
            description = "read this query's rows; incremental: compare with :cursor, e.g. where updated_at > :cursor order by updated_at" },
  incremental = { type = "table", description = "read only rows after the last committed cursor, in cursor order",
    fields = {
      cursor_field = { type = "string", required = true, description = "the column whose largest value is kept between runs" },
      initial_value = { any_of = { { type = "string" }, { type = "number" } }, description = "the cursor of the first run (required with query)" },
    } },
  fetch_size = { type = "integer", min = 1, default = 1000, description = "rows read at a time (and per batch)" },
}
