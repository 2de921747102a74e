-- {{name}}: a sink that writes records to a file in a format of its own: a Markdown table,
-- JSON Lines or one JSON array.
--
-- For plain JSON Lines, JSON or CSV the built-in sink.file is the better choice: it publishes
-- its file atomically, and only when the whole run succeeds. A script's file is written as it
-- goes. Start from this template when the output needs a shape of your own.

schema = {
  -- A key named `path` (or ending in _path) also lets the script write in that file's directory.
  path    = { type = "path", required = true, description = "the file to write (its directory must exist)" },
  format  = { type = "enum", values = { "markdown", "jsonl", "json" }, default = "markdown" },
  columns = { type = "array", description = "markdown: the columns, in order (default: the first record's fields, sorted)" },
  append  = { type = "boolean", default = false, description = "jsonl: add to the file instead of replacing it" },
}

local file
local columns
written = 0         -- a global, so tests can read it

-- One Markdown cell: nulls and missing fields are empty, tables are JSON, `|` is escaped.
local function cell(value)
  if value == nil or value == json.null then return "" end
  if type(value) == "table" then value = json.encode(value) end
  return (tostring(value):gsub("|", "\\|"):gsub("\n", " "))
end

-- init(): opens the file once, before the first record.
function init()
  local mode = (config.append and config.format == "jsonl") and "a" or "w"
  file = assert(io.open(config.path, mode))
  if config.format == "json" then file:write("[") end
  columns = config.columns
end

-- run(item): writes one record.
function run(item)
  if config.format == "markdown" then
    if columns == nil then                            -- the header comes from the first record
      columns = {}
      for key in pairs(item) do columns[#columns + 1] = key end
      table.sort(columns)
    end
    if written == 0 then
      file:write("| ", table.concat(columns, " | "), " |\n", string.rep("|---", #columns), "|\n")
    end
    local cells = {}
    for i, column in ipairs(columns) do cells[i] = cell(item[column]) end
    file:write("| ", table.concat(cells, " | "), " |\n")
  elseif config.format == "json" then
    file:write(written == 0 and "\n" or ",\n", json.encode(item))
  else
    file:write(json.encode(item), "\n")
  end
  written = written + 1
end

-- finalize(): called once after the last record, when the run has not failed: close the file.
function finalize()
  if config.format == "json" then file:write(written == 0 and "]\n" or "\n]\n") end
  file:close()
  log.info("wrote", written, "records to", config.path)
end
