import Foundation
import LuaflowCore
import LuaflowHTTP
import TestSupport

/// A temporary pipeline directory run in-process with the HTTP module installed.
struct LuaPipelineHarness {
    let root: URL

    init() throws {
        root = try TestDirectories.make("luaflow-http")
    }

    func write(_ relative: String, _ text: String) throws {
        try root.write(relative, text)
    }

    /// Runs pipeline.lua and returns the summary (without blocking the cooperative pool).
    @discardableResult
    func run() async throws -> RunSummary {
        let spec = try PipelineLoader.load(file: root.appendingPathComponent("pipeline.lua").path)
        let runner = try PipelineRunner(graph: PipelineGraph(spec), options: RunOptions(extensions: HTTPLuaModule.extensions()))
        return try await runner.run()
    }

    /// The message of the failure, or nil when the run succeeded.
    func failure() async -> String? {
        do {
            try await run()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// The records of a JSON Lines output.
    func records(_ relative: String) throws -> [[String: Any]] {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    func ids(_ relative: String) throws -> [Int] {
        try records(relative).compactMap { $0["id"] as? Int }
    }
}

extension RunSummary {
    func row(_ name: String) -> NodeStats.Snapshot? { rows.first { $0.name == name }?.stats }
}
