-- Tests for {{name}}.lua. Run them with `luaflow test`.

local ORDERS = {
  { id = 1, status = "paid" },
  { id = 2, status = "open" },
  { id = 3, status = "paid" },
  { id = 4, status = json.null },
}

test("collects every record in order", function()
  local sink = connector("{{name}}.lua")
  sink:write(ORDERS)
  assert_eq(sink.env.total, 4)
  assert_eq(sink.env.collected, ORDERS)
end)

test("group_by counts records per value", function()
  local sink = connector("{{name}}.lua", { group_by = "status" })
  sink:write(ORDERS)
  assert_eq(sink.env.counts, { paid = 2, open = 1, ["(none)"] = 1 })
end)

test("keep bounds what stays in memory, total still counts", function()
  local sink = connector("{{name}}.lua", { keep = 2 })
  sink:write(ORDERS)
  assert_eq(#sink.env.collected, 2)
  assert_eq(sink.env.total, 4)
end)

test("run() takes one record at a time", function()
  local sink = connector("{{name}}.lua")
  sink:run({ id = 9 })
  sink:run({ id = 10 })
  assert_eq(sink.env.collected, { { id = 9 }, { id = 10 } })
end)
