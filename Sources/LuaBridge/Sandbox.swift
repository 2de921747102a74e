import CLua
import CLuaShim
import Foundation

/// The sandboxed standard library. Each script gets its own environment: its own copies of the
/// allowed globals and library tables (string, table, math, utf8, coroutine, os), a read-only
/// view of `json`, and its own io.open / io.lines / require bound to its own `FileAccess`. No
/// table a script can reach is shared with another script of the same state: the string
/// metatable's `__index` is a private copy and, like the file handles' metatable, is hidden from
/// `getmetatable`. Absent: os.execute/exit/remove/rename/getenv, io.popen, package/loadlib,
/// debug, binary chunks, dofile/loadfile. The Lua side is lua/sandbox.lua.
extension LuaState {
    /// Installs the sandbox in this state. `roots` are the directories of the default
    /// `FileAccess` (for environments made without one); `log` receives print/log.* output with
    /// the label given to `makeEnvironment`.
    public func installSandbox(roots: [String],
                               log: @escaping (_ level: String, _ message: String, _ label: String) -> Void) throws {
        checkOwner()
        let chunk = try load(BundledLua.sandbox.bytes, chunkName: BundledLua.sandbox.chunkName)
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
