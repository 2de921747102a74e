import CLua
import CLuaShim
import Foundation

/// The sandboxed standard library. Each script gets its own environment: its own copies of the
/// allowed globals and library tables (string, table, math, utf8, coroutine, os), a read-only
/// view of `json`, and its own io.open / io.lines / require bound to its own `FileAccess`. No
/// table a script can reach is shared with another script of the same state: the string
/// metatable's `__index` is a private copy and, like the file handles' metatable, is hidden from
/// `getmetatable`. Absent: os.execute/exit/remove/rename/getenv, io.popen, package/loadlib,
/// debug, binary chunks, dofile/loadfile.
enum Sandbox {
    static let prelude = #"""
    local helpers, host, default_files = ...
    local G = _G
    local json, emit, open_checked = helpers.json, helpers.emit, helpers.open
    local real_load = load
    -- Kept for the host's own preludes (pipeline DSL, config schema); never given to scripts.
    local privileged = { dump = string.dump, getinfo = debug.getinfo, getupvalue = debug.getupvalue,
      getenv = os.getenv, setmetatable = setmetatable, make_env = nil, allow_files = nil }
    local pairs, ipairs, type, tostring, select, error = pairs, ipairs, type, tostring, select, error
    local setmetatable, concat = setmetatable, table.concat

    local function copy(t, except)
      local c = {}
      for k, v in pairs(t) do if not (except and except[k]) then c[k] = v end end
      return c
    end

    local base = {}
    for _, name in ipairs { "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget",
        "rawlen", "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type",
        "xpcall", "_VERSION" } do
      base[name] = G[name]
    end
    local gc = collectgarbage
    base.collectgarbage = function(opt, ...)
      if opt == nil or opt == "collect" or opt == "count" or opt == "step" then return gc(opt, ...) end
      error("collectgarbage('" .. tostring(opt) .. "') is not allowed in luaflow scripts", 2)
    end
    base.emit = emit
    local mark_metatables = helpers.mark_metatables
    base.setmetatable = function(t, mt)
      mark_metatables()
      local ok, result = pcall(setmetatable, t, mt)
      if not ok then error(result, 2) end -- at the script's line
      return result
    end
    -- Copied into each environment, so a script that changes string.format changes only its own.
    local libraries = {
      string = copy(string, { dump = true }), table = copy(table), math = copy(math), utf8 = copy(utf8),
      coroutine = copy(coroutine), os = { clock = os.clock, time = os.time, date = os.date, difftime = os.difftime },
    }

    -- Methods of strings ("x":upper()) come from a copy no script can reach or change.
    local string_mt = getmetatable("")
    string_mt.__index = copy(libraries.string)
    string_mt.__metatable = false
    getmetatable(io.stdout).__metatable = false

    local function read_only(t, name)
      return setmetatable({}, { __index = t, __metatable = false, __newindex = function(_, key)
        error(name .. " is read-only (cannot set " .. name .. "." .. tostring(key) .. ")", 2)
      end })
    end

    local function message(...)
      local n = select("#", ...)
      local parts = {}
      for i = 1, n do
        local v = select(i, ...)
        if type(v) == "table" and i == n and n > 1 then
          local ok, text = pcall(json.encode, v)
          parts[i] = ok and text or tostring(v)
        else
          parts[i] = tostring(v)
        end
      end
      return concat(parts, " ")
    end

    -- io.open and io.lines confined to `files` ({ roots, readonly, hidden }, see FileAccess).
    local function io_for(files)
      return {
        open = function(path, mode)
          mode = mode or "r"
          if type(path) ~= "string" then error("io.open: path must be a string", 2) end
          if type(mode) ~= "string" or not mode:match("^[rwa]%+?b?$") then
            error("io.open: invalid mode '" .. tostring(mode) .. "'", 2)
          end
          return open_checked(path, mode, files)
        end,
        lines = function(path, ...)
          if type(path) ~= "string" then error("io.lines: path must be a string", 2) end
          local f, why = open_checked(path, "r", files)
          if not f then error(why, 2) end
          local read = f:lines(...)
          local function closing(first, ...)
            if first == nil then f:close() end
            return first, ...
          end
          return function() return closing(read()) end, nil, nil, f
        end,
      }
    end

    local env_mt = { __metatable = false }
    local policies = setmetatable({}, { __mode = "k" })

    local function policy_copy(files)
      return { roots = copy(files.roots or {}), readonly = copy(files.readonly or {}), hidden = copy(files.hidden or {}) }
    end

    -- `label` names the script in its print/log output (several scripts may share one state);
    -- `files` is its FileAccess (the state's default when nil).
    local function make_env(label, files)
      files = files or policy_copy(default_files)
      local env = setmetatable(copy(base), env_mt)
      for name, library in pairs(libraries) do env[name] = copy(library) end
      env.json = read_only(json, "json")
      env.io = io_for(files)
      env._G = env
      env.print = function(...) host.log("info", message(...), label) end
      env.log = {}
      for _, level in ipairs { "debug", "info", "warn", "error" } do
        env.log[level] = function(...) host.log(level, message(...), label) end
      end
      env.load = function(chunk, name, mode, e)
        if mode ~= nil and mode ~= "t" then error("load: only text chunks are allowed (mode 't')", 2) end
        if type(chunk) == "string" and chunk:byte(1) == 27 then
          return nil, "attempt to load a binary chunk (only text chunks are allowed)"
        end
        return real_load(chunk, name, "t", e or env)
      end
      local modules = {}
      env.require = function(name)
        if type(name) ~= "string" or not name:match("^[%w_][%w_%.%-]*$") then
          error("require: invalid module name '" .. tostring(name) .. "'", 2)
        end
        if modules[name] ~= nil then return modules[name] end
        local rel = name:gsub("%.", "/") .. ".lua"
        local f, why = open_checked(rel, "r", files)
        if not f then
          if not why:find("access denied", 1, true) then why = "module not found (looked for " .. rel .. ")" end
          error("require '" .. name .. "': " .. why, 2)
        end
        local code = f:read("a")
        f:close()
        local chunk, err = real_load(code, "@" .. rel, "t", make_env(label, files))
        if not chunk then error(err, 0) end
        local result = chunk(name)
        if result == nil then result = true end
        modules[name] = result
        return result
      end
      policies[env] = files
      return env
    end

    -- Scrub what a script could reach through the real globals.
    os.execute, os.exit, os.remove, os.rename, os.tmpname, os.getenv, os.setlocale = nil
    io.popen = nil
    G.package, G.debug, G.dofile, G.loadfile, G.require = nil
    privileged.make_env = make_env
    privileged.allow_files = function(env, dir)
      local roots = policies[env].roots
      roots[#roots + 1] = dir
    end
    return make_env, privileged
    """#

    /// Per-state host functions the prelude calls (logging).
    struct Host {
        var log: (_ level: String, _ message: String) -> Void
    }
}

extension LuaState {
    /// Installs the sandbox in this state. `roots` are the directories of the default
    /// `FileAccess` (for environments made without one); `log` receives print/log.* output with
    /// the label given to `makeEnvironment`.
    public func installSandbox(roots: [String],
                               log: @escaping (_ level: String, _ message: String, _ label: String) -> Void) throws {
        checkOwner()
        let chunk = try load(Array(Sandbox.prelude.utf8), chunkName: "luaflow/sandbox.lua")
        try check(luaflow_push_host_helpers(handle), kind: .runtime)
        let helpers = popRef()
        let host = newTable()
        register("log", in: host) { args in
            log(try args.string(1, function: "log"), try args.string(2, function: "log"), args[3].stringValue ?? "")
            return []
        }
        let files = newPolicy(FileAccess(roots: roots.map(Self.resolvingSymlinks)))
        let results = try callReturningRefs(chunk, refArgs: [helpers, host, files], results: 2)
        makeEnvironmentRef = results[0]
        privilegedRef = results[1]
        for ref in [chunk, helpers, host, files] { release(ref) }
    }

    /// `path` absolute with its symlinks resolved, as the sandbox compares paths. For a path that
    /// does not exist (yet), its longest existing ancestor is resolved and the rest kept.
    public static func resolvingSymlinks(_ path: String) -> String {
        if let p = realpath(path, nil) {
            defer { free(p) }
            return String(cString: p)
        }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        guard parent != url.path else { return url.path }
        return (resolvingSymlinks(parent) as NSString).appendingPathComponent(url.lastPathComponent)
    }

    /// A `{ roots, readonly, hidden }` table for the prelude.
    private func newPolicy(_ files: FileAccess) -> LuaRef {
        let policy = newTable()
        for (key, list) in [("roots", files.roots), ("readonly", files.readOnly), ("hidden", files.hidden)] {
            luaflow_newtable(handle)
            for (i, path) in list.enumerated() {
                lua_pushstring(handle, path)
                lua_rawseti(handle, -2, lua_Integer(i + 1))
            }
            let ref = popRef()
            setField(policy, key, ref: ref)
            release(ref)
        }
        return policy
    }

    /// Lets the script of `env` use files under the directory `path` (resolved here) as well.
    public func allowFiles(under path: String, for env: LuaRef) throws {
        guard let allow = functionRef(privileged, "allow_files") else { preconditionFailure("installSandbox must run first") }
        defer { release(allow) }
        try call(allow, 2, results: 0) {
            push(env)
            lua_pushstring(handle, Self.resolvingSymlinks(path))
        }
    }

    /// Host-only helpers captured before the sandbox scrubbed them: `dump` (string.dump),
    /// `getinfo`, `getupvalue`, `getenv`, `setmetatable` (the one that does not mark the state as
    /// holding script metatables), `make_env`, `allow_files`. For the host's own Lua preludes only.
    public var privileged: LuaRef {
        guard let ref = privilegedRef else { preconditionFailure("installSandbox must run first") }
        return ref
    }

    /// A fresh sandboxed environment for one script; `label` names it in print/log output and
    /// `files` says which files it may open (the state's default when nil).
    public func makeEnvironment(label: String = "", files: FileAccess? = nil) throws -> LuaRef {
        guard let factory = makeEnvironmentRef else {
            preconditionFailure("installSandbox must run before makeEnvironment")
        }
        let name = newString(label)
        defer { release(name) }
        guard let files else { return try callReturningRef(factory, refArgs: [name]) }
        let policy = newPolicy(files)
        defer { release(policy) }
        return try callReturningRef(factory, refArgs: [name, policy])
    }
}
