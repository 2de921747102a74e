-- {{name}}: a source that sends a fixed list of records, one per run() call.
-- Good for reference data, fixtures and trying out a pipeline. For a list written in
-- pipeline.lua itself, the built-in source.list does the same without a script.

schema = {
  -- The records to send. The default is sample data: replace it, or pass items in the config.
  items = {
    type = "array",
    default = {
      { id = 1, name = "Alice" },
      { id = 2, name = "Bob" },
      { id = 3, name = "Carol" },
    },
  },
}

local n

-- init(): runs once before the first run(), with config validated.
function init()
  for i, item in ipairs(config.items) do
    if type(item) ~= "table" then
      error(("items[%d] must be a record (a table), got %s"):format(i, type(item)))
    end
  end
  n = 0
end

-- run(): returns the next record, or nil when there is none left (the source is then done).
function run()
  n = n + 1
  return config.items[n]
end
