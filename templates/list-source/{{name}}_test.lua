-- Tests for {{name}}.lua. Run them with `luaflow test`.

test("sends the sample records in order", function()
  local records = connector("{{name}}.lua"):read()
  assert_eq(#records, 3)
  assert_eq(records[1], { id = 1, name = "Alice" })
  assert_eq(records[3].name, "Carol")
end)

test("sends the items given in the config", function()
  local items = { { sku = "A-1" }, { sku = "B-2", tags = json.array() } }
  assert_eq(connector("{{name}}.lua", { items = items }):read(), items)
end)

test("max stops early", function()
  assert_eq(#connector("{{name}}.lua"):read { max = 2 }, 2)
end)

test("an item that is not a record is an error", function()
  assert_error(function() connector("{{name}}.lua", { items = { { id = 1 }, "oops" } }) end,
               "items[2] must be a record")
end)
