-- sink.postgres is written in Swift (PostgresDestination); this is its config schema, checked
-- when the node loads and shown by `luaflow check --options` and `luaflow spec`. The loading
-- options both database sinks share (table_loading.lua) are added after it.
schema = {
  dsn = { type = "secret", redact = "url_password", required = true,
          description = 'postgres://user:password@host:5432/database, usually "env:PG_DSN"' },
  schema = { type = "string", default = "public", min_length = 1, description = "the schema of the table (created when missing)" },
}
