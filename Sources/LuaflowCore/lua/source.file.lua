-- source.file is written in Swift (FileSourceRuntime); this is its config schema, checked when
-- the node loads and shown by `luaflow check --options` and `luaflow spec`.
schema = {
  path = { type = "path", required = true, min_length = 1, description = 'the file to read, relative to pipeline.lua, e.g. "data/in.jsonl"' },
  format = { type = "enum", values = { "jsonl", "json", "csv", "txt" },
             description = "default: from the extension (.jsonl/.ndjson, .json, .csv/.tsv, anything else txt)" },
  delimiter = { type = "string", description = "CSV field separator, one character (\"\\t\" for tab); default , (tab for .tsv)" },
}
