-- sink.file is written in Swift (FileSink, a SegmentedSink); this is its config schema, checked when the
-- node loads and shown by `luaflow check --options` and `luaflow spec`.
schema = {
  path = { type = "path", required = true, min_length = 1,
           description = 'the file to write, relative to pipeline.lua, e.g. "out/users.jsonl"; published when the run succeeds' },
  format = { type = "enum", values = { "jsonl", "json", "csv", "txt" },
             description = "default: from the extension (.jsonl/.ndjson, .json, .csv/.tsv, anything else txt)" },
  delimiter = { type = "string", description = "CSV field separator, one character (\"\\t\" for tab); default , (tab for .tsv)" },
  columns = { type = "array", items = { type = "string" }, description = "CSV column order; default: the keys of the first record" },
  field = { type = "string", description = "txt: the field written as the line (default line)" },
  rotate = { type = "table", description = 'finish the file and start the next once it is this old or this big; each finished file is published when a committed checkpoint covers it (path names files with {time} or {seq})',
             fields = {
               every = { any_of = { { type = "number", exclusive_min = 0 }, { type = "string", pattern = "^%s*%d+%.?%d*%s*m?s%s*$" },
                                    { type = "string", pattern = "^%s*%d+%.?%d*%s*[mhd]%s*$" } },
                         description = 'e.g. "1h", "10m", "30s"' },
               bytes = { any_of = { { type = "integer", min = 1 }, { type = "string", pattern = "^%s*%d+%.?%d*%s*[KkMmGg]?[Bb]%s*$" } },
                         description = 'e.g. "256MB"' },
             } },
  mode = { type = "enum", values = { "overwrite", "append" }, default = "overwrite",
           description = "append adds the run's records after the file's content (jsonl, csv, txt)" },
}
