-- Tests for {{name}}.lua. Run them with `luaflow test`. c:run(item) returns the list of
-- records the transform sent for that item.

test("cleans the fields it is told to", function()
  local t = connector("{{name}}.lua")
  assert_eq(t:run({ id = 1, email = "  Ada@Example.COM " }), { { id = 1, email = "ada@example.com" } })
end)

test("drops records missing a required field", function()
  local t = connector("{{name}}.lua", { required = { "id", "email" } })
  assert_eq(t:run({ id = 1 }), {})
  assert_eq(t:run({ id = json.null, email = "a@b.c" }), {})
  assert_eq(#t:run({ id = 2, email = "a@b.c" }), 1)
  assert_eq(t.env.dropped, 2)
end)

test("renames fields", function()
  local t = connector("{{name}}.lua", { rename = { mail = "email" }, lowercase = {} })
  assert_eq(t:run({ id = 1, mail = "X@Y.Z" }), { { id = 1, email = "X@Y.Z" } })
end)

test("explode sends one record per list element", function()
  local t = connector("{{name}}.lua", { explode = "tags" })
  assert_eq(t:run({ id = 1, tags = { "a", "b" } }), { { id = 1, tags = "a" }, { id = 1, tags = "b" } })
  assert_eq(t:run({ id = 2, tags = json.array() }), {})
end)

test("finalize sends nothing more", function()
  local t = connector("{{name}}.lua")
  t:run({ email = "no id" })
  assert_eq(t:finalize(), {})
end)
