-- The HTTP benchmark job as a bare Lua 5.4 loop: LuaSocket + lua-cjson.
--   lua5.4 baseline_luasocket.lua BASE_URL OUT.jsonl
-- LuaSocket's http.request opens a new TCP connection per page.
local http = require "socket.http"
local cjson = require "cjson"

local base, out_path = arg[1], arg[2]
local out = assert(io.open(out_path, "w"))
local cursor
repeat
  local body, code = http.request(base .. "/users" .. (cursor and ("?cursor=" .. cursor) or ""))
  assert(code == 200, "status " .. tostring(code))
  local page = cjson.decode(body)
  for _, record in ipairs(page.data) do out:write(cjson.encode(record), "\n") end
  cursor = page.next_cursor
until cursor == nil or cursor == cjson.null
out:close()
