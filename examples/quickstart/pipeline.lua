-- Quickstart: read a CSV of orders, keep the paid ones, write JSON Lines and a CSV report.
local orders = source.file { path = "data/orders.csv" }
local paid   = transform("transforms/paid_orders.lua", { min_amount = 10 })
local tag    = transform(function(order)
  order.country_name = ({ GB = "United Kingdom", SG = "Singapore", ES = "Spain", GH = "Ghana" })[order.country]
  return order
end)
local jsonl  = sink.file { path = "out/paid_orders.jsonl" }
local report = sink.file { path = "out/paid_orders.csv", columns = { "order_id", "customer", "amount", "band" } }

network {
  { orders, paid },
  { paid, tag },
  { tag, jsonl },
  { tag, report },
}
