-- {{name}}: a pipeline of built-in connectors and one inline transform.
-- It reads data/{{name}}.csv, keeps paid orders of at least min_amount, and writes them twice:
-- out/{{name}}.jsonl (every field) and out/{{name}}_report.csv (chosen columns).
--
--   luaflow run pipeline.lua
--   luaflow run pipeline.lua --set paid.min_amount=50 --limit 3
--
-- Paths are relative to this file. Outputs appear only when the whole run succeeds.

-- A source: one record per CSV row, keyed by the header. Every CSV value is a string.
-- Other built-in sources: source.list { items = {...} }, source.http { ... }, or a script of
-- your own with source("my_source.lua", { ...config }).
local orders = source.file { path = "data/{{name}}.csv" }

-- A transform: return the record to pass it on, nil to drop it. An inline function runs in its
-- own Lua state, so it sees only `config` (this node's settings), not the locals of this file.
-- For anything longer, move it into a script: transform("my_transform.lua", { ... }).
local paid = transform(function(order)
  local amount = tonumber(order.amount)
  if order.status ~= "paid" or amount < config.min_amount then return nil end
  order.amount = amount                                  -- "120.50" -> 120.5
  return order
end, { name = "paid", min_amount = 20 })

-- Sinks. sink.file writes to a temp file and publishes it atomically at the end of the run.
local all_fields = sink.file { path = "out/{{name}}.jsonl" }
local report = sink.file { path = "out/{{name}}_report.csv", columns = { "order_id", "customer", "amount" } }

-- The network: records flow left to right. One node may feed several (fan-out).
network {
  { orders, paid },
  { paid, all_fields },
  { paid, report },
}
