import Foundation
import LuaBridge

/// `luaflow check`: every node is loaded as a run would load it (script compiled, config
/// validated against its schema), then each Lua source and sink runs `init()` and `check()`, and
/// each Swift built-in its own check (a database connects): what `source.http` does is request
/// its first page. Each node is checked on its own dedicated thread, so `check()` may make HTTP calls.
public enum PipelineCheck {
    /// `offline`: the static checks alone (load and config); no `init()`, no `check()`, nothing contacted.
    public static func run(_ pipeline: PipelineSpec, extensions: HostExtensions, offline: Bool = false) -> [NodeCheck] {
        let group = DispatchGroup()
        let results = Locked([NodeCheck?](repeating: nil, count: pipeline.nodes.count))
        for (index, spec) in pipeline.nodes.enumerated() {
            group.enter()
            let thread = Thread {
                let (problems, notes) = check(spec, pipeline: pipeline, extensions: extensions, offline: offline)
                results.withLock { $0[index] = NodeCheck(node: spec.name, role: spec.role, problems: problems, notes: notes) }
                group.leave()
            }
            thread.name = "luaflow:check:\(spec.name)"
            thread.start()
        }
        group.wait()
        return results.withLock { $0.compactMap { $0 } }
    }

    /// The node's problems, and what a Swift built-in's own check found when there are none.
    private static func check(_ spec: NodeSpec, pipeline: PipelineSpec, extensions: HostExtensions, offline: Bool) -> ([String], [String]) {
        do {
            let stats = NodeStats(name: spec.name, role: spec.role)
            let runtime = try NodeFactory.make(spec, pipeline: pipeline, stats: stats, options: RunOptions(extensions: extensions))
            if offline { return ([], []) }
            guard let node = (runtime as? LuaSourceRuntime)?.node ?? (runtime as? LuaSinkRuntime)?.node else {
                return ([], try runtime.check().map { Redactor.shared.redact($0) })
            }
            try node.callHook("init")
            return try callCheck(node)
        } catch let error as PipelineErrors {
            return (error.errors.map(describe), [])
        } catch let error as PipelineError {
            return ([describe(error)], [])
        } catch {
            return ([Redactor.shared.redact("\(error)")], [])
        }
    }

    /// Calls `check()` if defined: `false`, `false, "reason"` and `nil, "reason"` are problems
    /// located at the function's definition; an error is a problem at the line that raised it;
    /// `true, "note"` is ok with what it found. Returns the problems and the notes.
    private static func callCheck(_ node: LuaScriptNode) throws -> ([String], [String]) {
        guard let fn = node.function("check") else { return ([], []) }
        let results: [LuaValue]
        do {
            results = try node.lua.call(fn, results: 2)
        } catch let error as LuaError {
            throw PipelineError(node.spec, phase: "check", lua: error)
        }
        let failed = results[0] == .boolean(false) || (results[0] == .nil && results[1].stringValue != nil)
        guard failed else { return ([], results[1].stringValue.map { [Redactor.shared.redact($0)] } ?? []) }
        let reason = results[1].stringValue.map { ": \($0)" } ?? ""
        let line = try definitionLine(of: fn, in: node.lua).map { ":\($0)" } ?? ""
        return ([Redactor.shared.redact("check: \(node.displayPath)\(line): check() returned \(results[0])\(reason)")], [])
    }

    private static func definitionLine(of fn: LuaRef, in lua: LuaState) throws -> Int64? {
        let chunk = try lua.load(BundledLua.check.bytes, chunkName: BundledLua.check.chunkName)
        let lineOf = try lua.callReturningRef(chunk, refArgs: [lua.privileged])
        return try lua.call(lineOf, refArgs: [fn], results: 1)[0].integerValue
    }

    private static func describe(_ error: PipelineError) -> String {
        var text = (error.phase.map { "\($0): " } ?? "") + error.message
        for d in error.details { text += " (\(d))" }
        return Redactor.shared.redact(text)
    }
}
