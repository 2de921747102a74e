import Foundation
import Testing
@testable import LuaflowTesting

@Suite struct DiscoveryTests {
    @Test func findsTestFilesRecursivelyAndSkipsHiddenDirectories() throws {
        let files = try LuaTestFiles()
        for name in ["b_test.lua", "sub/a_test.lua", "sub/helper.lua", ".luaflow/x_test.lua", ".build/y_test.lua"] {
            try files.write(name, "")
        }
        let root = files.root.path
        #expect(try TestDiscovery.files(in: [root]) == [root + "/b_test.lua", root + "/sub/a_test.lua"])
        #expect(try TestDiscovery.files(in: [root + "/sub/helper.lua"]) == [root + "/sub/helper.lua"])
        #expect(throws: TestDiscovery.Problem.self) { try TestDiscovery.files(in: [root + "/missing"]) }
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        #expect(throws: TestDiscovery.Problem.self) { try TestDiscovery.files(in: [root + "/empty"]) }
    }
}
