import CLua
import CLuaShim
import Foundation

/// The sandboxed standard library. Each script gets its own environment table whose reads fall
/// through to a protected base built from an allow list: no os.execute/exit/remove/rename/getenv,
/// no io.popen, no package/loadlib, no debug, no binary chunks, no dofile/loadfile; io.open,
/// io.lines and require only reach files under the allowed directories.
enum Sandbox {
    static let prelude = #"""
    local helpers, host, roots = ...
    local G = _G
    local json, emit, path_allowed = helpers.json, helpers.emit, helpers.path_allowed
    local real_open, real_lines, real_load = io.open, io.lines, load
    -- Kept for the host's own preludes (pipeline DSL, config schema); never given to scripts.
    local privileged = { dump = string.dump, getinfo = debug.getinfo, getupvalue = debug.getupvalue,
      getenv = os.getenv, make_env = nil }
    local pairs, ipairs, type, tostring, select, error = pairs, ipairs, type, tostring, select, error
    local concat = table.concat

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
    base.string = copy(string, { dump = true })
    base.table = copy(table)
    base.math = copy(math)
    base.utf8 = copy(utf8)
    base.coroutine = copy(coroutine)
    base.os = { clock = os.clock, time = os.time, date = os.date, difftime = os.difftime }
    getmetatable("").__index = base.string

    local gc = collectgarbage
    base.collectgarbage = function(opt, ...)
      if opt == nil or opt == "collect" or opt == "count" or opt == "step" then return gc(opt, ...) end
      error("collectgarbage('" .. tostring(opt) .. "') is not allowed in luaflow scripts", 2)
    end

    local function checked(path, what)
      if type(path) ~= "string" then error(what .. ": path must be a string", 3) end
      return path_allowed(path, roots)
    end
    base.io = {
      open = function(path, mode)
        mode = mode or "r"
        if type(mode) ~= "string" or not mode:match("^[rwa]%+?b?$") then
          error("io.open: invalid mode '" .. tostring(mode) .. "'", 2)
        end
        local abs, why = checked(path, "io.open")
        if not abs then return nil, why end
        return real_open(abs, mode)
      end,
      lines = function(path, ...)
        local abs, why = checked(path, "io.lines")
        if not abs then error(why, 2) end
        return real_lines(abs, ...)
      end,
    }

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
    base.json = json
    base.emit = emit

    local base_mt = { __index = base, __metatable = false }
    local modules = {}

    -- `label` names the script in its print/log output (several scripts may share one state).
    local function make_env(label)
      local env = setmetatable({}, base_mt)
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
      env.require = function(name)
        if type(name) ~= "string" or not name:match("^[%w_][%w_%.%-]*$") then
          error("require: invalid module name '" .. tostring(name) .. "'", 2)
        end
        if modules[name] ~= nil then return modules[name] end
        local rel = name:gsub("%.", "/") .. ".lua"
        local abs, why = path_allowed(rel, roots)
        if not abs then error("require '" .. name .. "': " .. why, 2) end
        local f = real_open(abs, "r")
        if not f then error("require '" .. name .. "': module not found (looked for " .. rel .. ")", 2) end
        local code = f:read("a")
        f:close()
        local chunk, err = real_load(code, "@" .. rel, "t", make_env(label))
        if not chunk then error(err, 0) end
        local result = chunk(name)
        if result == nil then result = true end
        modules[name] = result
        return result
      end
      return env
    end

    -- Scrub what a script could reach through the real globals.
    os.execute, os.exit, os.remove, os.rename, os.tmpname, os.getenv, os.setlocale = nil
    io.popen = nil
    G.package, G.debug, G.dofile, G.loadfile, G.require = nil
    privileged.make_env = make_env
    return make_env, privileged
    """#

    /// Per-state host functions the prelude calls (logging).
    struct Host {
        var log: (_ level: String, _ message: String) -> Void
    }
}

extension LuaState {
    /// Installs the sandbox in this state. `roots` are absolute directories scripts may use files
    /// under (the first is where relative paths start); `log` receives print/log.* output with the
    /// label given to `makeEnvironment`.
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
        let rootsTable = newTable()
        push(rootsTable)
        for (i, root) in roots.enumerated() {
            lua_pushstring(handle, Self.resolvingSymlinks(root))
            lua_rawseti(handle, -2, lua_Integer(i + 1))
        }
        luaflow_pop(handle, 1)
        let results = try callReturningRefs(chunk, refArgs: [helpers, host, rootsTable], results: 2)
        makeEnvironmentRef = results[0]
        privilegedRef = results[1]
        rootsRef = rootsTable
        for ref in [chunk, helpers, host] { release(ref) }
    }

    /// `path` with symlinks resolved (as the C path check compares them), or as given if it does not exist.
    private static func resolvingSymlinks(_ path: String) -> String {
        realpath(path, nil).map { p in defer { free(p) }; return String(cString: p) } ?? path
    }

    /// Lets scripts use the file at `path` and its directory (a directory: everything under it).
    public func allowFiles(at path: String) {
        checkOwner()
        guard let roots = rootsRef else { return }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        let dir = exists && isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        push(roots)
        lua_pushstring(handle, Self.resolvingSymlinks(dir))
        lua_rawseti(handle, -2, lua_Integer(lua_rawlen(handle, -2) + 1))
        luaflow_pop(handle, 1)
    }

    /// Host-only helpers captured before the sandbox scrubbed them: `dump` (string.dump),
    /// `getinfo`, `getupvalue`, `getenv`, `make_env`. For the host's own Lua preludes only.
    public var privileged: LuaRef {
        guard let ref = privilegedRef else { preconditionFailure("installSandbox must run first") }
        return ref
    }

    /// A fresh sandboxed environment for one script; `label` names it in print/log output.
    public func makeEnvironment(label: String = "") throws -> LuaRef {
        guard let factory = makeEnvironmentRef else {
            preconditionFailure("installSandbox must run before makeEnvironment")
        }
        return try callReturningRef(factory, refArgs: [newString(label)])
    }
}
