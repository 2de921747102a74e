import Foundation
@testable import LuaflowTesting

/// A temp directory of Lua test files and connectors, run through `TestSuite` on a dedicated
/// thread (never on the cooperative pool: the files block on HTTP).
struct LuaTestFiles {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("luaflow-testing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// Runs one test file and returns its results by test name.
    func run(_ relative: String) async throws -> [String: TestResult] {
        let file = root.appendingPathComponent(relative).path
        let results: [TestResult] = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try TestSuite.run(files: [file]) { _ in } })
            }
            thread.start()
        }
        return Dictionary(results.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
