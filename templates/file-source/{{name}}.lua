-- {{name}}: a source that reads a text file line by line and parses each line itself.
-- It reads logfmt (`time=... level=info msg="user signed in" user=42`) or JSON Lines, skips
-- blank lines and `#` comments, and streams: memory stays flat whatever the file size.
--
-- For plain CSV, JSON or JSON Lines files the built-in source.file is faster; start from this
-- template when a file needs a parser of your own: change parse() below.

schema = {
  -- A key named `path` (or ending in _path) also lets the script open that file's directory.
  path   = { type = "path", required = true, description = "the file to read" },
  format = { type = "enum", values = { "logfmt", "jsonl" }, default = "logfmt" },
  line_numbers = { type = "boolean", default = false, description = "add the source line number as `line`" },
}

-- parse(text): one line of the file -> a record. A global, so tests can call it directly.
-- Its errors carry no script location: run() prefixes the file and line that failed.
function parse(text)
  if config.format == "jsonl" then return json.decode(text) end
  local record = {}
  local rest = text
  while true do
    rest = rest:match("^%s*(.*)$")
    if rest == "" then break end
    local key, after = rest:match("^([%w_%.%-]+)=(.*)$")
    if not key then error(("expected key=value at '%s'"):format(rest:sub(1, 20)), 0) end
    local value
    if after:sub(1, 1) == '"' then
      value, rest = after:match('^"(.-)"(.*)$')                -- quoted: may hold spaces
      if not value then error(("unterminated quote after %s="):format(key), 0) end
    else
      value, rest = after:match("^(%S*)(.*)$")
    end
    local numeric = tonumber(value)                               -- "42" -> 42, "1.5" -> 1.5
    if numeric ~= nil then record[key] = numeric else record[key] = value end
  end
  return record
end

local lines, number

-- init(): opens the file once, after config validation.
function init()
  lines = io.lines(config.path)
  number = 0
end

-- run(): returns the next record, or nil at the end of the file (the source is then done).
function run()
  for text in lines do
    number = number + 1
    if text:find("%S") and not text:find("^%s*#") then
      local ok, record = pcall(parse, text)
      if not ok then error(("%s:%d: %s"):format(config.path, number, record), 0) end
      if config.line_numbers then record.line = number end
      return record
    end
  end
  return nil
end
