-- Tests for {{name}}.lua. Run them with `luaflow test`.

local function reader(overrides)
  local config = { path = "data/{{name}}.log" }
  for k, v in pairs(overrides or {}) do config[k] = v end
  return connector("{{name}}.lua", config)
end

test("reads the sample file, skipping blank lines and comments", function()
  local records = reader():read()
  assert_eq(#records, 3)
  assert_eq(records[1], { time = "2024-05-01T10:00:00Z", level = "info", msg = "user signed in", user = 42 })
  assert_eq(records[2].ms, 1250.5)
  assert_eq(records[3].code, "card_declined")
end)

test("line_numbers adds the line each record came from", function()
  local records = reader({ line_numbers = true }):read()
  assert_eq({ records[1].line, records[2].line, records[3].line }, { 2, 3, 5 })
end)

test("parse() reads quoted values, numbers and bare words", function()
  local source = reader()
  assert_eq(source.env.parse('a=1 b="x y" c=-2.5 d=word'), { a = 1, b = "x y", c = -2.5, d = "word" })
  assert_eq(source.env.parse(""), {})
end)

test("parse() rejects what is not logfmt", function()
  local source = reader()
  assert_error(function() source.env.parse("just words") end, "expected key=value")
  assert_error(function() source.env.parse('msg="open') end, "unterminated quote")
end)

test("format = jsonl decodes each line as JSON", function()
  local source = reader({ format = "jsonl" })
  assert_eq(source.env.parse('{"id": 1, "tags": []}'), { id = 1, tags = json.array() })
end)

test("a missing file is reported when the source starts", function()
  assert_error(function() reader({ path = "data/no-such-file.log" }) end, "no-such-file.log")
end)
