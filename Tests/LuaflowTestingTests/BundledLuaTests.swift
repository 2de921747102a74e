import Foundation
import Testing
@testable import LuaBridge
@testable import LuaflowCore
@testable import LuaflowHTTP
@testable import LuaflowTesting

/// The host's Lua, as the BundleLua plugin compiles each target's `lua/*.lua` into the binary.
@Suite struct BundledLuaTests {
    static let targets: [(name: String, files: [(name: String, source: String)])] = [
        ("LuaBridge", LuaBridge.BundledLua.all.map { ($0.name, $0.source) }),
        ("LuaflowCore", LuaflowCore.BundledLua.all.map { ($0.name, $0.source) }),
        ("LuaflowHTTP", LuaflowHTTP.BundledLua.all.map { ($0.name, $0.source) }),
        ("LuaflowTesting", LuaflowTesting.BundledLua.all.map { ($0.name, $0.source) }),
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    @Test func everyLuaFileOfATargetIsBundledByteForByte() throws {
        for target in Self.targets {
            let directory = Self.sources.appendingPathComponent(target.name).appendingPathComponent("lua")
            let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".lua") }
            #expect(target.files.map(\.name).sorted() == names.sorted(), "\(target.name)")
            for file in target.files {
                let onDisk = try String(contentsOf: directory.appendingPathComponent(file.name), encoding: .utf8)
                let unchanged = file.source == onDisk
                #expect(unchanged, "\(target.name)/lua/\(file.name) differs from its bundled copy")
            }
        }
    }

    @Test func everyBundledFileCompiles() throws {
        let lua = try LuaState()
        for target in Self.targets {
            for file in target.files {
                #expect(throws: Never.self, "\(target.name)/lua/\(file.name)") {
                    lua.release(try lua.load(Array(file.source.utf8), chunkName: "luaflow/" + file.name))
                }
            }
        }
    }
}
