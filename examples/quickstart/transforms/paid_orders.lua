-- Keeps paid orders, turns the amount into a number and adds a size band.
schema = {
  min_amount = { type = "number", default = 0, min = 0, description = "drop orders below this amount" },
}

function run(order)
  if order.status ~= "paid" then return nil end        -- nil drops the record
  local amount = tonumber(order.amount)
  if amount < config.min_amount then return nil end
  order.amount = amount
  order.order_id = math.tointeger(tonumber(order.order_id))
  order.band = amount >= 100 and "large" or "small"
  return order
end
