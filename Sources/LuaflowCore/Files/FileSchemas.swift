/// The options of `source.file`, `sink.file` and `sink.stdout`, declared as `schema` tables like a
/// script's: ``ConfigSchema`` checks them when the node loads, `luaflow check --options` and
/// `luaflow spec` show them. The connectors themselves are written in Swift.
enum FileSchemas {
    static let source = #"""
    schema = {
      path = { type = "path", required = true, min_length = 1, description = 'the file to read, relative to pipeline.lua, e.g. "data/in.jsonl"' },
      format = { type = "enum", values = { "jsonl", "json", "csv", "txt" },
                 description = "default: from the extension (.jsonl/.ndjson, .json, .csv/.tsv, anything else txt)" },
      delimiter = { type = "string", description = "CSV field separator, one character (\"\\t\" for tab); default , (tab for .tsv)" },
    }
    """#

    static let sink = #"""
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
    """#

    static let stdout = #"""
    schema = {}
    """#

    /// The schema of the Swift built-in `role`.`kind`, if it is one.
    static func code(role: NodeSpec.Role, kind: String) -> String? {
        switch (role, kind) {
        case (.source, "file"): return source
        case (.sink, "file"): return sink
        case (.sink, "stdout"): return stdout
        default: return nil
        }
    }
}
