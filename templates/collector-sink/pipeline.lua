-- Feeds sample orders to {{name}}.lua, which logs a summary when the input ends.
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set {{name}}.group_by=country
local summary = sink("{{name}}.lua", { group_by = "status" })

-- Declared after the sink, so the sink keeps the name {{name}} whatever you call it.
local orders = source.list { name = "orders", items = {
  { id = 1, status = "paid", country = "GB", amount = 120.5 },
  { id = 2, status = "open", country = "SG", amount = 35 },
  { id = 3, status = "paid", country = "GB", amount = 12.99 },
  { id = 4, status = "refunded", country = "BR", amount = 60 },
} }

network {
  { orders, summary },
}
