-- sink.file's txt format (TextLineEncoder): the text line of a record, its `field` when it is a
-- table. Arguments: the field, json. Returns the formatter the C batch loop calls per record.
local field, json = ...
return function(item)
  if type(item) ~= "table" then return tostring(item) end
  local v = item[field]
  if v == nil then error("the record has no field '" .. field .. "' to write as a text line (set the sink's field option)", 0) end
  if v == json.null then return "" end
  if type(v) == "table" then return json.encode(v) end
  return tostring(v)
end
