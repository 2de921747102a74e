-- {{name}}: a sink that collects records and reports on them when the input ends: how many
-- arrived, how many per value of one field, and the first few records.
-- Good for checks, debugging and small summaries; change finalize() to do more with them.

schema = {
  group_by = { type = "string", description = "count records per value of this field" },
  keep     = { type = "integer", default = 1000, min = 0, description = "how many records to keep in memory" },
}

-- Globals, so tests can look at them through the connector handle's env.
collected = {}      -- the first `keep` records
total = 0           -- every record counted
counts = {}         -- value of group_by -> number of records

-- run(item): called once per record, in arrival order.
function run(item)
  total = total + 1
  if #collected < config.keep then collected[#collected + 1] = item end
  if config.group_by then
    local value = item[config.group_by]
    local key = (value == nil or value == json.null) and "(none)" or tostring(value)
    counts[key] = (counts[key] or 0) + 1
  end
end

-- finalize(): called once after the last record, when the run has not failed.
function finalize()
  log.info("collected", total, "records")
  if config.group_by then
    local keys = {}
    for key in pairs(counts) do keys[#keys + 1] = key end
    table.sort(keys)
    for _, key in ipairs(keys) do log.info(("  %s = %s: %d"):format(config.group_by, key, counts[key])) end
  end
  for i = 1, math.min(3, #collected) do log.info("  sample", i, collected[i]) end
end
