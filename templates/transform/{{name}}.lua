-- {{name}}: a transform that cleans records one at a time. It drops records that lack a
-- required field, trims and lower-cases chosen text fields, renames fields, and splits a list
-- field into one record per element when asked.
--
-- run(item) decides each record's fate: return it (changed or not) to pass it on, return nil
-- to drop it, or call emit(x) to send more than one record.

schema = {
  required  = { type = "array", default = { "id" }, description = "records missing any of these fields are dropped" },
  lowercase = { type = "array", default = { "email" }, description = "text fields to trim and lower-case" },
  rename    = { type = "table", default = {}, description = "old field name -> new field name" },
  explode   = { type = "string", description = "a list field: send one record per element, with the element in that field" },
}

dropped = 0         -- a global, so tests can read it

local function missing(value)
  return value == nil or value == json.null or value == ""
end

-- run(item): called once per record.
function run(item)
  for _, field in ipairs(config.required) do
    if missing(item[field]) then
      dropped = dropped + 1
      return nil                                        -- nil: the record goes no further
    end
  end
  for _, field in ipairs(config.lowercase) do
    local value = item[field]
    if type(value) == "string" then item[field] = value:match("^%s*(.-)%s*$"):lower() end
  end
  for from, to in pairs(config.rename) do
    if item[from] ~= nil then
      item[to], item[from] = item[from], nil
    end
  end
  if config.explode then
    local list = item[config.explode]
    if type(list) == "table" then
      for _, element in ipairs(list) do
        local copy = {}
        for k, v in pairs(item) do copy[k] = v end
        copy[config.explode] = element
        emit(copy)                                      -- one record per element
      end
      return nil                                        -- everything went out through emit()
    end
  end
  return item
end

-- finalize(): called once when the input is done. A transform may return a list of records
-- here to send them last (totals, for instance); this one only reports.
function finalize()
  if dropped > 0 then log.info("dropped", dropped, "records missing", table.concat(config.required, " or ")) end
end
