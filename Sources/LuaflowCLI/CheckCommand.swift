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
        Built-ins connect: source.http requests its first page (a 401, a refused connection, a \
        TLS failure is a problem), database sources and sinks open a connection; sink.http says \
        it was not contacted (it has no request without side effects). No records are written. \
        With --offline, only the static checks run and nothing is contacted.

        Prints one row per node, ok or its problems. With --options, then lists each node's \
        settings (type, default, description; nested tables indented) and the common options \
        every node accepts. Exit status: 0 when every node is ok, 2 otherwise.

        Examples:
          luaflow check pipeline.lua
          luaflow check pipeline.lua --options
          luaflow check pipeline.lua --offline
          luaflow check pipeline.lua --config prod.yaml --set users.token=env:USERS_TOKEN
        """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @Flag(name: .customLong("options"), help: "Also list each node's settings and the common options, from their schemas.")
    var listOptions = false

    @Flag(name: .customLong("offline"), help: "Only the static checks (scripts, config); call no check() and contact nothing.")
    var offline = false

    @OptionGroup var config: ConfigOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let extensions = InstalledExtensions.all()
        let (results, schemas) = try logging.reportingFailures { () -> ([NodeCheck], [(name: String, what: String, schema: [String: Any])]) in
            let spec = try config.load(pipeline)
            _ = try PipelineGraph(spec)
            let results = PipelineCheck.run(spec, extensions: extensions, offline: offline)
            guard listOptions else { return (results, []) }
            return (results, try spec.nodes.map { node in
                (node.name, node.what, try ConnectorSpec.jsonSchema(of: node, pipeline: spec, extensions: extensions))
            })
        }
        // Nodes are checked in parallel: redacting the whole report once every node registered its
        // secrets hides a value one node marks secret from another node's problems too.
        let report = logging.logFormat == .json ? Self.json(results, schemas: schemas)
            : Self.table(results) + (schemas.isEmpty ? "" : "\n\n" + OptionsListing.text(schemas))
        print(Redactor.shared.redact(report))
        if results.contains(where: { !$0.ok }) { throw ExitCode(2) }
    }

    /// ```
    /// node    kind    result
    /// users   source  ok
    /// out     sink    config: config.path: is required (...)
    /// ```
    static func table(_ results: [NodeCheck]) -> String {
        let rows = results.flatMap { r -> [[String]] in
            let lines = r.ok ? ["ok" + (r.notes.isEmpty ? "" : ": " + r.notes.joined(separator: "; "))] : r.problems
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

    /// With `schemas` (--options), each node also has `options`: its JSON Schema.
    static func json(_ results: [NodeCheck], schemas: [(name: String, what: String, schema: [String: Any])] = []) -> String {
        let nodes: [[String: Any]] = results.enumerated().map { i, r in
            var node: [String: Any] = ["node": r.node, "kind": r.role.rawValue, "ok": r.ok, "problems": r.problems, "notes": r.notes]
            if i < schemas.count { node["options"] = schemas[i].schema }
            return node
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["nodes": nodes, "ok": results.allSatisfy(\.ok)], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
