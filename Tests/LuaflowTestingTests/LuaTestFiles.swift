import Foundation
@testable import LuaflowTesting
import TestSupport

/// A temp directory of Lua test files and connectors, run through `TestSuite` on a dedicated
/// thread (never on the cooperative pool: the files block on HTTP).
struct LuaTestFiles {
    let root: URL

    init() throws {
        root = try TestDirectories.make("luaflow-testing")
    }

    func write(_ relative: String, _ text: String) throws {
        try root.write(relative, text)
    }

    /// Runs one test file and returns its results by test name.
    func run(_ relative: String) async throws -> [String: TestResult] {
        let file = root.appendingPathComponent(relative).path
        let results = try await onThread { try TestSuite.run(files: [file]) { _ in } }
        return Dictionary(results.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
