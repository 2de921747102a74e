import Foundation
import LuaflowCore
import LuaflowSQL
import TestSupport

/// A temporary pipeline directory for running pipelines in-process with the database
/// extensions: write files, run, read the JSON Lines outputs.
struct PipelineDirectory {
    let root: URL

    init() throws {
        root = try TestDirectories.make("luaflow-sql")
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: true, encoding: .utf8)
    }

    /// The lines of a JSON Lines output.
    func lines(_ relative: String) throws -> [String] {
        try String(contentsOfFile: path(relative), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Runs pipeline.lua with the SQL extensions (and a state store when `state`).
    @discardableResult
    func run(state: Bool = false, limit: Int? = nil) throws -> RunSummary {
        let spec = try PipelineLoader.load(file: path("pipeline.lua"))
        let options = RunOptions(limit: limit, extensions: SQLExtensions.extensions(),
                                 state: state ? StateOptions(path: path(".luaflow/state.db")) : nil)
        return try PipelineRunner(graph: try PipelineGraph(spec), options: options).run()
    }

    /// The failure of a run, as the CLI prints it (nil when it succeeded).
    func failure() -> String? {
        do {
            try run()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
