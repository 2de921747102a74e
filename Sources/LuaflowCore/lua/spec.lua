-- `luaflow spec` (ConnectorSpec): called with the ConfigSchema module, the connector's environment
-- and a title; returns the JSON text of the connector's config as JSON Schema.
local lib, env, title = ...
local schema = rawget(env, "schema")
if schema ~= nil and type(schema) ~= "table" then error("schema must be a table of fields, got a " .. type(schema), 0) end
return json.encode(lib.json_schema(schema, title))
