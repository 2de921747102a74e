import Foundation
@testable import LuaflowCore
import TestSupport

/// A temporary pipeline directory: write files into it, run a pipeline in-process, read outputs.
struct Workspace {
    let root: URL

    init() throws {
        root = try TestDirectories.make("luaflow-test")
    }

    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }

    /// Lines of a JSONL output parsed as dictionaries.
    func records(_ relative: String) throws -> [[String: Any]] {
        try read(relative).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8), options: [.fragmentsAllowed]) as! [String: Any]
        }
    }

    /// Loads, validates and runs `pipeline` (default pipeline.lua) in-process.
    @discardableResult
    func run(_ pipeline: String = "pipeline.lua", overrides: [String] = [], limit: Int? = nil, fuse: Bool = true,
             state: Bool = false, fullRefresh: Bool = false, extensions: HostExtensions = HostExtensions()) throws -> RunSummary {
        let spec = try PipelineLoader.load(file: path(pipeline), overrides: overrides.compactMap(PipelineLoader.Override.init))
        let stateOptions = state ? StateOptions(path: statePath, fullRefresh: fullRefresh) : nil
        let runner = try PipelineRunner(graph: try PipelineGraph(spec), options: RunOptions(limit: limit, fuse: fuse, extensions: extensions,
                                                                                         state: stateOptions))
        return try runner.run()
    }

    /// The state store of a run with `state: true`.
    var statePath: String { path(".luaflow/state.db") }

    /// Runs and returns the error's description, or nil when the run succeeded.
    func failure(_ pipeline: String = "pipeline.lua", overrides: [String] = [], fuse: Bool = true,
                 state: Bool = false, extensions: HostExtensions = HostExtensions()) -> (message: String, exitCode: Int32)? {
        do {
            try run(pipeline, overrides: overrides, fuse: fuse, state: state, extensions: extensions)
            return nil
        } catch let error as PipelineErrors {
            return (error.description, error.exitCode)
        } catch let error as PipelineError {
            return (error.description, error.exitCode)
        } catch {
            return ("\(error)", -1)
        }
    }
}

extension RunSummary {
    func row(_ name: String) -> NodeStats.Snapshot? { rows.first { $0.name == name }?.stats }
}
