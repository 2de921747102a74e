-- Tests for {{name}}.lua. Run them with `luaflow test`. They write into out/.

local function lines(path)
  local out = {}
  for line in io.lines(path) do out[#out + 1] = json.decode(line) end
  return out
end

local function items(n)
  local list = {}
  for i = 1, n do list[i] = { id = i } end
  return list
end

test("8 records in batches of 3 make 3 batches: 3, 3 and 2", function()
  local path = "out/{{name}}_test.jsonl"
  local sink = connector("{{name}}.lua", { path = path, batch_size = 3 })
  sink:write(items(8))
  local written = lines(path)
  assert_eq(#written, 3)
  assert_eq({ written[1].count, written[2].count, written[3].count }, { 3, 3, 2 })
  assert_eq(written[3].batch, 3)
  assert_eq(written[3].records, { { id = 7 }, { id = 8 } })
  assert_eq({ sink.env.batches, sink.env.records }, { 3, 8 })
end)

test("write() can be called directly with a batch", function()
  local path = "out/{{name}}_test.jsonl"
  local sink = connector("{{name}}.lua", { path = path })
  sink.env.write(items(2))
  sink:finalize()
  assert_eq(lines(path), { { batch = 1, count = 2, records = { { id = 1 }, { id = 2 } } } })
end)

test("path is required", function()
  assert_error(function() connector("{{name}}.lua") end, "config.path")
end)
