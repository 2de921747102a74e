-- source.list { items = { ... } }: a built-in node written in Lua, run like a user script.
schema = { items = { type = "array", required = true, description = "the records to emit, in order" } }
local i = 0
function run()
  i = i + 1
  return config.items[i]
end
