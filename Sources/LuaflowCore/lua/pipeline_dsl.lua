-- The Lua side of pipeline.lua: `source`, `transform`, `sink` and `network`, evaluated in a
-- sandboxed state (PipelineLoader). Declarations are checked as they are made (errors point at
-- pipeline.lua:LINE); the function returned gives the declared network as JSON for the Swift side.
local env, privileged, resolve_env = ...
local json = env.json
local dump, getinfo, getupvalue = privileged.dump, privileged.getinfo, privileged.getupvalue
local nodes, edges, network_line = {}, {}, nil
local declared_pipeline = nil
local node_mt = { __name = "luaflow node", __metatable = false }
local is_node = {}
local is_group = {}

-- The DSL functions reach `add` through tail calls, so pipeline.lua is always the caller of
-- `add` (error level 2) and level 3 from inside line_of_caller.
local function line_of_caller()
  local info = getinfo(3, "l")
  return info and info.currentline or nil
end

local function describe(v)
  if v == nil then return "nil (is the variable name spelled right?)" end
  if is_group[v] then return "the resources of a source.http (use one resource's node, such as " .. is_group[v] .. ")" end
  return "a " .. type(v)
end

local function basename(path)
  return (path:match("([^/]+)$") or path)
end

-- `former_name`: the default name an earlier release gave the node, when it differs (the state
-- store adopts what it kept under that name).
local function add(role, kind, target, cfg, default_name, former_name)
  if cfg ~= nil and type(cfg) ~= "table" then
    error(role .. ": the config must be a table, got " .. describe(cfg), 2)
  end
  cfg = cfg or {}
  local node = setmetatable({}, node_mt)
  is_node[node] = true
  local bytecode
  if kind == "inline" then
    local i = 1
    while true do
      local name = getupvalue(target, i)
      if name == nil then break end
      if name ~= "_ENV" then
        error("inline " .. role .. " uses the local variable '" .. name .. "' from pipeline.lua; inline functions " ..
              "run in their own Lua state, so pass values through the node's config instead", 2)
      end
      i = i + 1
    end
    bytecode = dump(target)
  end
  nodes[#nodes + 1] = {
    node = node, id = #nodes + 1, role = role, kind = kind, target = target, bytecode = bytecode,
    cfg = cfg, name = cfg.name or default_name, line = line_of_caller(),
    former_name = cfg.name == nil and former_name ~= default_name and former_name or nil,
  }
  return node
end

local function script_or_inline(role, target, cfg)
  if type(target) == "string" then
    return add(role, "script", target, cfg, (basename(target):gsub("%.lua$", "")))
  elseif type(target) == "function" and role == "transform" then
    return add(role, "inline", target, cfg, "inline")
  end
  local expected = role == "transform" and "a script path or a function" or "a script path"
  error(role .. "(): expected " .. expected .. ", got " .. describe(target), 2)
end

-- The table a query reads first (`select ... from app.orders where ...` -> app.orders), or nil.
local function query_table(query)
  local name = query:lower():match("%f[%w_]from%s+([%w_.\"]+)")
  return name and name:gsub('"', "") or nil
end

-- A built-in's default name says what it reads or writes: a database node's table (or the
-- first table of its query), else the file name of its `path`, else its kind.
-- Earlier releases named database nodes after `path` or their kind (`former`).
local function builtin(role, kind, default_name)
  return function(cfg)
    if type(cfg) ~= "table" then
      error(role .. "." .. kind .. " expects a config table: " .. role .. "." .. kind .. " { ... }", 2)
    end
    local name = default_name
    if type(cfg.path) == "string" then name = basename(cfg.path) end
    local former = name
    if type(cfg.table) == "string" and cfg.table ~= "" then
      name = cfg.table
    elseif type(cfg.query) == "string" then
      name = query_table(cfg.query) or name
    end
    return add(role, "builtin", kind, cfg, name, former)
  end
end

-- `source.http { name = "gh", resources = { repos = {...}, issues = {...} } }`: not a node but
-- a group of streams; `gh.issues` is the node of one resource, named `gh.issues`, with the whole
-- config and `stream = "issues"`. Only the resources used in the network become nodes.
local function resource_group(cfg, line)
  local base = cfg.name or "http"
  local made = {}
  local names = {}
  for k in pairs(cfg.resources) do names[#names + 1] = tostring(k) end
  table.sort(names)
  local group = {}
  is_group[group] = base .. "." .. tostring(names[1])
  return setmetatable(group, {
    __name = "luaflow resources", __metatable = false,
    __index = function(_, resource)
      if made[resource] then return made[resource] end
      if type(resource) ~= "string" or cfg.resources[resource] == nil then
        error("source.http '" .. base .. "' has no resource '" .. tostring(resource) .. "' (resources: " ..
              table.concat(names, ", ") .. ")", 2)
      end
      local copy = {}
      for k, v in pairs(cfg) do copy[k] = v end
      copy.stream, copy.name = resource, base .. "." .. resource
      made[resource] = add("source", "builtin", "http", copy, copy.name)
      nodes[#nodes].line = line
      return made[resource]
    end,
  })
end

local http_source = builtin("source", "http", "http")
local function source_http(cfg)
  if type(cfg) == "table" and type(cfg.resources) == "table" and cfg.stream == nil then
    return resource_group(cfg, line_of_caller())
  end
  return http_source(cfg)
end

-- `source.<kind> { ... }` and `sink.<kind> { ... }` name any built-in, those of other targets
-- (sink.postgres) included; the runner rejects a kind no target provides, with a suggestion.
-- `special` holds the kinds the DSL treats itself (source.http's resource groups).
local function builtins(role, special)
  return setmetatable({}, {
    __index = function(_, kind)
      if special and special[kind] then return special[kind] end
      if type(kind) == "string" and kind:match("^[%a_][%w_]*$") then return builtin(role, kind, kind) end
    end,
    __call = function(_, target, cfg) return script_or_inline(role, target, cfg) end,
  })
end

env.source = builtins("source", { http = source_http })
env.transform = function(target, cfg) return script_or_inline("transform", target, cfg) end
env.sink = builtins("sink")

-- `pipeline { name = "orders" }`: the pipeline's name, which keys its state, run history and
-- loads (default: the pipeline file's name without `.lua`).
env.pipeline = function(cfg)
  if declared_pipeline ~= nil then error("pipeline { ... } can only be declared once", 2) end
  if type(cfg) ~= "table" then error('pipeline expects a table: pipeline { name = "orders" }', 2) end
  for k in pairs(cfg) do
    if k ~= "name" then error("pipeline: unknown setting '" .. tostring(k) .. "' (settings: name)", 2) end
  end
  if type(cfg.name) ~= "string" or not cfg.name:match("^[%w][%w_.%-]*$") then
    error('pipeline: name must be a string of letters, digits, "_", "." and "-", starting with a letter or digit, got ' ..
          (type(cfg.name) == "string" and ("'" .. cfg.name .. "'") or describe(cfg.name)), 2)
  end
  declared_pipeline = { name = cfg.name, line = line_of_caller() }
end

env.network = function(list)
  if network_line ~= nil then error("network { ... } can only be declared once", 2) end
  if type(list) ~= "table" then error("network expects a list of edges: network { {a, b}, {b, c} }", 2) end
  network_line = line_of_caller()
  for i, edge in ipairs(list) do
    if is_node[edge] then
      error("network: entry " .. i .. " is a node, but network takes edges: network { {a, b}, {b, c} }", 2)
    end
    if type(edge) ~= "table" then
      error("network: edge " .. i .. " must be a list of nodes like {a, b}, got " .. describe(edge), 2)
    end
    local n = #edge
    for j = 1, math.max(n, 2) do
      if not is_node[edge[j]] then
        error("network: edge " .. i .. ", position " .. j .. ": expected a node, got " .. describe(edge[j]), 2)
      end
    end
    for j = 1, n - 1 do edges[#edges + 1] = { from = edge[j], to = edge[j + 1], line = network_line } end
  end
end

local id_of = {}

-- source.http's config may hold functions (`filter` and `map`): each is precompiled
-- into `functions` (setting path -> bytecode) and replaced by a marker naming its line, so the
-- config stays JSON. Like inline transforms, they run in the node's own state: no locals of
-- pipeline.lua.
local function extract_functions(v, path, functions, node)
  if type(v) == "function" then
    local i = 1
    while true do
      local name = getupvalue(v, i)
      if name == nil then break end
      if name ~= "_ENV" then
        error("node '" .. node.name .. "' (pipeline.lua:" .. tostring(node.line) .. "): the function " .. path ..
              " uses the local variable '" .. name .. "' from pipeline.lua; it runs in the node's own Lua state, " ..
              "so pass values through the node's config instead", 0)
      end
      i = i + 1
    end
    functions[path] = dump(v)
    return "function at pipeline.lua:" .. tostring(getinfo(v, "S").linedefined)
  end
  if type(v) ~= "table" or v == json.null or is_node[v] then return v end
  local mt = getmetatable(v)
  local copy = type(mt) == "table" and setmetatable({}, mt) or {}
  for k, item in pairs(v) do
    copy[k] = extract_functions(item, path == "" and tostring(k) or (path .. "." .. tostring(k)), functions, node)
  end
  return copy
end

-- Gives every node a unique name, merges the config file's tables (keyed by node name) into
-- the node configs, applies --set overrides, resolves env:NAME values, and returns the
-- network as JSON (with the config problems found and the values to redact). With `env_mode`
-- "leave", env:NAME values stay as written (commands that only read the state need no secrets).
return function(sets_json, layers_json, env_mode)
  local sets, layers = json.decode(sets_json), json.decode(layers_json)
  local used, explicit, used_former = {}, {}, {}
  for _, n in ipairs(nodes) do
    id_of[n.node] = n.id
    local name, k = n.name, 2
    if type(name) ~= "string" or name == "" then error("node at pipeline.lua:" .. tostring(n.line) .. ": name must be a string", 0) end
    -- The name an earlier release gave the node, made unique the way it did.
    local former, j = n.former_name or n.name, 2
    while used_former[former] do former = (n.former_name or n.name) .. "#" .. j; j = j + 1 end
    used_former[former] = true
    if n.cfg.name ~= nil then
      if explicit[name] then
        error("two nodes are named '" .. name .. "' (pipeline.lua:" .. tostring(explicit[name]) .. " and " ..
              tostring(n.line) .. "); names must be unique", 0)
      end
      explicit[name] = n.line
    end
    while used[name] do name = n.name .. "#" .. k; k = k + 1 end
    used[name] = true
    n.name = name
    n.former_name = former ~= name and former or nil
  end
  local by_name = {}
  for _, n in ipairs(nodes) do by_name[n.name] = n end
  local function node_names()
    local names = {}
    for _, n in ipairs(nodes) do names[#names + 1] = n.name end
    return table.concat(names, ", ")
  end
  local layer_names = {}
  for name in pairs(layers) do layer_names[#layer_names + 1] = name end
  table.sort(layer_names)
  for _, name in ipairs(layer_names) do
    local n = by_name[name]
    if n == nil then error("config file: no node named '" .. name .. "' (nodes: " .. node_names() .. ")", 0) end
    if type(layers[name]) ~= "table" or layers[name] == json.null then
      error("config file: '" .. name .. "' must map to a table of settings", 0)
    end
    for k, v in pairs(layers[name]) do n.cfg[k] = v end
  end
  for _, s in ipairs(sets) do
    local best
    for _, n in ipairs(nodes) do
      if s.lhs:sub(1, #n.name + 1) == n.name .. "." and (best == nil or #n.name > #best.name) then best = n end
    end
    if best == nil then
      error("--set " .. s.lhs .. ": no node of that name (nodes: " .. node_names() .. ")", 0)
    end
    local ok, value = pcall(json.decode, s.value)
    if not ok then value = s.value end
    -- `a.b.c` sets c in the table a.b (tables on the way are copied: pipeline.lua may share them).
    local key, t = s.lhs:sub(#best.name + 2), best.cfg
    local parts = {}
    for part in key:gmatch("[^.]+") do parts[#parts + 1] = part end
    for i = 1, #parts - 1 do
      local copy = {}
      if type(t[parts[i]]) == "table" and t[parts[i]] ~= json.null then
        for k, v in pairs(t[parts[i]]) do copy[k] = v end
      end
      t[parts[i]] = copy
      t = copy
    end
    t[parts[#parts] or key] = value
    best.origins = best.origins or {}
    best.origins[key] = "--set " .. s.lhs .. "=" .. s.value
  end
  local out = { nodes = json.array(), edges = json.array(), network_line = network_line,
                problems = json.array(), secrets = json.array(), pipeline = declared_pipeline }
  for _, n in ipairs(nodes) do
    local problems, values, names = {}, {}, {}
    if env_mode ~= "leave" then problems, values, names = resolve_env(n.cfg) end
    for _, p in ipairs(problems) do out.problems[#out.problems + 1] = { node = n.name, line = n.line, message = p } end
    for _, v in ipairs(values) do out.secrets[#out.secrets + 1] = v end
    local cfg = n.cfg
    if n.kind == "builtin" and n.role == "source" and n.target == "http" then
      n.functions = {}
      cfg = extract_functions(n.cfg, "", n.functions, n)
    end
    local ok, cfg_json = pcall(json.encode, cfg)
    if not ok then
      error("node '" .. n.name .. "' (pipeline.lua:" .. tostring(n.line) .. "): config cannot be encoded: " .. tostring(cfg_json), 0)
    end
    out.nodes[#out.nodes + 1] = {
      id = n.id, role = n.role, kind = n.kind, name = n.name, line = n.line,
      target = type(n.target) == "string" and n.target or nil, config = cfg_json, origins = n.origins,
      functions = n.functions and next(n.functions) and {} or nil, former_name = n.former_name,
      env_names = #names > 0 and names or nil,
    }
  end
  for _, e in ipairs(edges) do
    out.edges[#out.edges + 1] = { from = id_of[e.from], to = id_of[e.to], line = e.line }
  end
  local bytecode = {}
  for _, n in ipairs(nodes) do bytecode[#bytecode + 1] = n.bytecode or "" end
  -- A built-in's functions follow the nodes' entries; the node lists where each is.
  for i, n in ipairs(nodes) do
    local listed = out.nodes[i].functions
    if listed then
      for path, code in pairs(n.functions) do
        bytecode[#bytecode + 1] = code
        listed[path] = #bytecode
      end
    end
  end
  return json.encode(out), bytecode
end
