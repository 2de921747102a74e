-- Incremental source over a change log (one JSON object per line, oldest first).
-- The host remembers the largest `updated_at` it committed and hands it back next run as
-- state.cursor, so each run emits only the changes that are new since the last one.
schema = {
  path = { type = "path", default = "data/changes.jsonl", description = "the change log to follow" },
}

cursor_field = "updated_at"

local lines

function init()
  lines = io.lines(config.path)
  if state.cursor then log.info("resuming after " .. state.cursor) end
end

function run()
  for line in lines do
    local change = json.decode(line)
    if state.cursor == nil or change.updated_at > state.cursor then return change end
  end
  return nil
end
