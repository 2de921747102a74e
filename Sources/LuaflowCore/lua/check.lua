-- `luaflow check`: called with the privileged helpers, returns a function that gives the line a
-- Lua function is defined at (to point at a script's check() when it returns false).
local getinfo = (...).getinfo
return function(f) return getinfo(f, "S").linedefined end
