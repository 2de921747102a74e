import Foundation
import Testing
@testable import LuaBridge

/// Host Lua is line-numbered as the `.lua` file it lives in.
@Suite struct BundledLuaLineTests {
    @Test func anErrorInsideBundledLuaNamesItsLineInTheLuaFile() throws {
        let lua = try LuaState()
        try lua.installSandbox(roots: []) { _, _, _ in }
        let notAnEnvironment = lua.newTable()
        let error = #expect(throws: LuaError.self) { try lua.allowFiles(under: "/tmp", for: notAnEnvironment) }
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LuaBridge/lua/sandbox.lua")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("local roots = policies[env].roots") }) + 1
        #expect(error?.location == SourceLocation(file: "luaflow/sandbox.lua", line: line))
    }
}
