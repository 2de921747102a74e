import Foundation
import Testing

/// Only CLuaShim and LuaBridge touch `lua_*`. LuaBridge keeps `LuaState.handle`, `LuaRef.id` and
/// status codes internal, so other targets cannot pass a state or a registry id to C; this suite
/// catches what the compiler cannot: a target importing the C modules and calling them directly.
@Suite struct CBoundaryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let bridged: Set<String> = ["CLua", "CLuaShim", "LuaBridge"]

    /// CLuaShim functions that take or return a `lua_State` (or its context), read from its
    /// headers so a new one is covered the day it is declared.
    static func stateFunctions() throws -> Set<String> {
        let include = root.appendingPathComponent("Sources/CLuaShim/include")
        var names: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: include.path) where file.hasSuffix(".h") {
            let text = try String(contentsOf: include.appendingPathComponent(file), encoding: .utf8)
            let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            for declaration in code.joined(separator: "\n").split(separator: ";")
            where declaration.contains("lua_State") || declaration.contains("luaflow_ctx") {
                for match in declaration.matches(of: /\b(luaflow_\w+)\s*\(/) { names.insert(String(match.1)) }
            }
        }
        return names
    }

    /// Every use of the C API of Lua in a target other than CLua, CLuaShim and LuaBridge, as
    /// `path:line: text`.
    static func violations() throws -> [String] {
        let forbidden = try stateFunctions().union(["lua_State", "luaflow_ctx", "luaflow_chain", "luaflow_host_fn"])
        let sources = root.appendingPathComponent("Sources")
        var found: [String] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) where !bridged.contains(target) {
            let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path)
            while let file = files?.nextObject() as? String {
                guard file.hasSuffix(".swift") else { continue }
                let path = "Sources/\(target)/\(file)"
                let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
                for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
                where line.contains("lua") || line.contains("LUA") || line.contains("CLua") {
                    let words = line.split { !($0.isLetter || $0.isNumber || $0 == "_") }
                    let importsCLua = words.contains("import") && words.contains("CLua")
                    if importsCLua || words.contains(where: {
                        forbidden.contains(String($0)) || $0.hasPrefix("lua_") || $0.hasPrefix("luaL_") || $0.hasPrefix("LUA_")
                    }) {
                        found.append("\(path):\(n + 1): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        return found
    }

    @Test func theHeadersDeclareTheStateFunctions() throws {
        let names = try Self.stateFunctions()
        #expect(names.isSuperset(of: ["luaflow_run_batch", "luaflow_run_chain_batch", "luaflow_get_ctx", "luaflow_state_new", "luaflow_pcall"]))
        #expect(!names.contains("luaflow_buf_append"))
        #expect(!names.contains("luaflow_lines_read"))
    }

    @Test func onlyLuaBridgeCallsLua() throws {
        let violations = try Self.violations()
        #expect(violations.isEmpty, "call LuaBridge instead:\n\(violations.joined(separator: "\n"))")
    }
}
