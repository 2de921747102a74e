-- Tests for {{name}}.lua. Run them with `luaflow test`. They write into out/.

local PEOPLE = {
  { name = "Ada", role = "engineer", tags = { "math" } },
  { name = "Lin", role = json.null },
}

local function read(path)
  local f = assert(io.open(path))
  local text = f:read("a")
  f:close()
  return text
end

test("writes a Markdown table", function()
  local sink = connector("{{name}}.lua", { path = "out/{{name}}_test.md", columns = { "name", "role", "tags" } })
  sink:write(PEOPLE)
  assert_eq(read("out/{{name}}_test.md"),
    "| name | role | tags |\n|---|---|---|\n| Ada | engineer | [\"math\"] |\n| Lin |  |  |\n")
  assert_eq(sink.env.written, 2)
end)

test("without columns the first record's fields make the header", function()
  connector("{{name}}.lua", { path = "out/{{name}}_test.md" }):write({ { b = 2, a = "x|y" } })
  assert_eq(read("out/{{name}}_test.md"), "| a | b |\n|---|---|\n| x\\|y | 2 |\n")
end)

test("writes JSON Lines, and appends when asked", function()
  local path = "out/{{name}}_test.jsonl"
  connector("{{name}}.lua", { path = path, format = "jsonl" }):write({ { id = 1 } })
  connector("{{name}}.lua", { path = path, format = "jsonl", append = true }):write({ { id = 2 } })
  assert_eq(read(path), '{"id":1}\n{"id":2}\n')
end)

test("writes one JSON array, also when there are no records", function()
  local path = "out/{{name}}_test.json"
  connector("{{name}}.lua", { path = path, format = "json" }):write({ { id = 1 }, { id = 2 } })
  assert_eq(json.decode(read(path)), { { id = 1 }, { id = 2 } })
  connector("{{name}}.lua", { path = path, format = "json" }):write({})
  assert_eq(read(path), "[]\n")
end)

test("an unknown format is a config error", function()
  assert_error(function() connector("{{name}}.lua", { path = "out/x.txt", format = "xml" }) end, "config.format")
end)
