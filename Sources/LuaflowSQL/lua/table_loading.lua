-- The options sink.postgres and sink.sqlite share (TableLoadOptions in Swift), added to the
-- `schema` their own file declared.
local column_types = { "bigint", "double precision", "boolean", "text", "timestamptz", "jsonb" }

local shared = {
  table = { type = "string", required = true, min_length = 1, description = "the table to load (created from the records when missing)" },
  write_disposition = { type = "enum", values = { "append", "replace", "merge" }, default = "append",
                        description = "append adds the rows; replace swaps in a new table when the run succeeds; merge upserts on primary_key" },
  primary_key = { type = "array", items = { type = "string", min_length = 1 },
                  description = "merge: the fields that identify a row (required with merge)" },
  dedup_sort = { type = "string", min_length = 1,
                 description = "merge: among the records of one load with the same key, keep the one with the largest value of this field (default: the last)" },
  columns = { type = "array", description = "declared column types, e.g. { { name = \"created_at\", type = \"timestamptz\" } }",
              items = { type = "table", fields = {
                name = { type = "string", required = true, min_length = 1, description = "the field" },
                type = { type = "enum", values = column_types, required = true, description = "its column type" },
              } } },
  schema_contract = { type = "enum", values = { "evolve", "freeze", "discard_row" }, default = "evolve",
                      description = "a value whose type does not fit its column: add a variant column <name>__v_<type>, fail the run, or hand the record to on_error" },
  optional_fields = { type = "array", items = { type = "string", min_length = 1 },
                      description = "fields dedup_sort or columns name that may be absent from every record of the first batch (otherwise that is an error, as for a typo); primary_key fields are never optional" },
  infer_timestamps = { type = "boolean", default = false,
                       description = "ISO-8601 strings of new fields make timestamptz columns (otherwise text)" },
}

for name, field in pairs(shared) do schema[name] = field end
