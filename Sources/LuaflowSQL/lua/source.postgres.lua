-- source.postgres is written in Swift (SQLSourceRuntime over PostgresRowReader); this is its
-- config schema, checked when the node loads and shown by `luaflow check --options` and `luaflow spec`.
schema = {
  dsn = { type = "secret", redact = "url_password", required = true,
          description = 'postgres://user:password@host:5432/database?sslmode=prefer, or "env:NAME" naming a variable that holds one' },
  table = { type = "string", min_length = 1, description = "read this whole table (or give query)" },
  schema = { type = "string", min_length = 1, description = "the table's schema (default: the search path, usually public)" },
  query = { type = "string", min_length = 1,
            description = "read this query's rows; incremental: compare with :cursor, e.g. where updated_at > :cursor order by updated_at" },
  incremental = { type = "table", description = "read only rows after the last committed cursor, in cursor order",
    fields = {
      cursor_field = { type = "string", required = true, description = "the column whose largest value is kept between runs" },
      initial_value = { any_of = { { type = "string" }, { type = "number" } }, description = "the cursor of the first run (required with query)" },
    } },
  numeric = { type = "enum", values = { "string", "number" }, default = "string",
              description = "numeric columns as strings (every digit kept) or as JSON numbers" },
  fetch_size = { type = "integer", min = 1, default = 1000, description = "rows read from the server at a time (and per batch)" },
}
