-- sink.file is written in Swift (FileSinkRuntime); this is its config schema, checked when the
-- node loads and shown by `luaflow check --options` and `luaflow spec`.
schema = {
  path = { type = "path", required = true, min_length = 1,
           description = 'the file to write, relative to pipeline.lua, e.g. "out/users.jsonl"; published when the run succeeds' },
  format = { type = "enum", values = { "jsonl", "json", "csv", "txt" },
             description = "default: from the extension (.jsonl/.ndjson, .json, .csv/.tsv, anything else txt)" },
  delimiter = { type = "string", description = "CSV field separator, one character (\"\\t\" for tab); default , (tab for .tsv)" },
  columns = { type = "array", items = { type = "string" }, description = "CSV column order; default: the keys of the first record" },
  field = { type = "string", description = "txt: the field written as the line (default line)" },
  mode = { type = "enum", values = { "overwrite", "append" }, default = "overwrite",
           description = "append adds the run's records after the file's content (jsonl, csv, txt)" },
}
