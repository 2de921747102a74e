-- The `errors` module every script gets (see ErrorClass): errors.transient("...") raises
-- "[transient] ...", errors.class(message) reads the class back. Argument: the script's environment.
local env = ...
local function raiser(class)
  return function(message, level)
    error("[" .. class .. "] " .. tostring(message), (level or 1) + 1)
  end
end
env.errors = {
  connection = raiser("connection"), auth = raiser("auth"), transient = raiser("transient"), data = raiser("data"),
  -- The class of a caught error message ("transient", ...), or nil.
  class = function(message)
    for class in tostring(message):gmatch("%[(%a+)%]") do
      if class == "connection" or class == "auth" or class == "transient" or class == "data" then return class end
    end
  end,
}
