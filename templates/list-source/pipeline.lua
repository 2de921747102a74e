-- Sends the records of {{name}}.lua to out/{{name}}.jsonl, and a greeting for each to the
-- terminal.
--
--   luaflow run pipeline.lua
local people = source("{{name}}.lua")
local greet = transform(function(item)
  item.greeting = "Hello, " .. tostring(item.name) .. "!"
  return item
end, { name = "greet" })

network {
  { people, sink.file { path = "out/{{name}}.jsonl" } },
  { people, greet, sink.stdout {} },
}
