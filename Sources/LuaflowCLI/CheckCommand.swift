import ArgumentParser
import Foundation
import LuaflowCore
import LuaflowHTTP

/// `luaflow check pipeline.lua`: validate every node and call each source's and sink's check().
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a pipeline's config and scripts and call each source's and sink's check().",
        discussion: """
        Every node is loaded as `run` would load it: its script compiled and run to define its \
        functions, its config checked against its schema. Lua sources and sinks then run init() \
        and check(); check() returning false (optionally with a reason) or raising is a problem. \
        No records are read or written.

        Prints one row per node, ok or its problems. Exit status: 0 when every node is ok, \
        2 otherwise.

        Examples:
          luaflow check pipeline.lua
          luaflow check pipeline.lua --config prod.yaml --set users.token=env:USERS_TOKEN
        """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @OptionGroup var config: ConfigOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let results = try logging.reportingFailures { () -> [NodeCheck] in
            let spec = try config.load(pipeline)
            _ = try PipelineGraph(spec)
            return PipelineCheck.run(spec, extensions: HTTPLuaModule.extensions())
        }
        // Nodes are checked in parallel: redacting the whole report once every node registered its
        // secrets hides a value one node marks secret from another node's problems too.
        print(Redactor.shared.redact(logging.logFormat == .json ? Self.json(results) : Self.table(results)))
        if results.contains(where: { !$0.ok }) { throw ExitCode(2) }
    }

    /// ```
    /// node    kind    result
    /// users   source  ok
    /// out     sink    config: config.path: is required (...)
    /// ```
    static func table(_ results: [NodeCheck]) -> String {
        let rows = results.flatMap { r -> [[String]] in
            let lines = r.ok ? ["ok"] : r.problems
            return lines.enumerated().map { i, line in i == 0 ? [r.node, r.role.rawValue, line] : ["", "", line] }
        }
        let all = [["node", "kind", "result"]] + rows
        let widths = (0..<2).map { i in all.map { $0[i].count }.max() ?? 0 }
        var text = all.map { row in
            row[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + row[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + row[2]
        }.joined(separator: "\n")
        let failed = results.filter { !$0.ok }.count
        text += failed == 0 ? "\nall \(results.count) nodes ok" : "\n\(failed) of \(results.count) nodes have problems"
        return text
    }

    static func json(_ results: [NodeCheck]) -> String {
        let nodes: [[String: Any]] = results.map { ["node": $0.node, "kind": $0.role.rawValue, "ok": $0.ok, "problems": $0.problems] }
        let data = (try? JSONSerialization.data(withJSONObject: ["nodes": nodes, "ok": results.allSatisfy(\.ok)], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
