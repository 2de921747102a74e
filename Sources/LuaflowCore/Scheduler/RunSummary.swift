import Foundation

/// What a finished run did, per node.
public struct RunSummary: Sendable {
    public struct Row: Sendable {
        public var name: String
        public var role: NodeSpec.Role
        public var stats: NodeStats.Snapshot
        /// What the node's script recorded with the `metrics` module.
        public var metrics: [ScriptMetrics.Series] = []
    }

    public var rows: [Row]
    public var seconds: Double
    /// True when Ctrl-C stopped the sources before they finished.
    public var interrupted: Bool
    /// The start of the unfinished run this one resumed (nil: a fresh run).
    public var resumedRun: String?
    /// Per node, the records the resumed run's earlier attempts had committed.
    public var resumed: [String: Int]

    init(nodes: [NodeStats], seconds: Double, interrupted: Bool, resumedRun: String? = nil, resumed: [String: Int] = [:]) {
        rows = nodes.map { Row(name: $0.name, role: $0.role, stats: $0.snapshot, metrics: $0.scriptMetrics.snapshot) }
        self.seconds = seconds
        self.interrupted = interrupted
        self.resumedRun = resumedRun
        self.resumed = resumed
    }

    /// A table for people:
    /// ```
    /// node      kind       in    out  dropped  errors   time
    /// users     source      -   1000        -       0  0.12s
    /// ```
    /// A resumed run adds a `resumed` column: what the earlier attempts had committed, which this
    /// run's counts do not include.
    public func table() -> String {
        let http = rows.contains { $0.stats.requests > 0 }
        let dead = rows.contains { $0.stats.deadLettered > 0 }
        let carried = resumedRun != nil
        let header = ["node", "kind", "in", "out", "dropped", "errors"] + (dead ? ["dead"] : []) + (http ? ["requests", "retries"] : [])
            + (carried ? ["resumed", "total"] : []) + ["time"]
        let lines = rows.map { r -> [String] in
            let s = r.stats
            let counts = [r.name, r.role.rawValue,
                          r.role == .source ? "-" : String(s.recordsIn),
                          r.role == .sink ? "-" : String(s.recordsOut),
                          r.role == .transform ? String(s.dropped) : "-",
                          String(s.errors)] + (dead ? [String(s.deadLettered)] : [])
            return counts + (http ? [String(s.requests), String(s.retries)] : [])
                + (carried ? carriedOver(r) : []) + [String(format: "%.2fs", s.seconds)]
        }
        let widths = header.indices.map { i in ([header] + lines).map { $0[i].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i < 2 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                      : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ")
        }
        var text = ([header] + lines).map(render).joined(separator: "\n")
        text += "\n" + (interrupted ? "interrupted after" : "done in") + String(format: " %.2fs", seconds)
        if let resumedRun {
            text += "\nresumed the run started \(resumedRun): in and out count this run only, resumed what its earlier attempts"
                + " had committed, total both"
        }
        return text
    }

    /// The `resumed` and `total` cells of a node: what earlier attempts committed, and with this run's own records.
    private func carriedOver(_ row: Row) -> [String] {
        guard let earlier = resumed[row.name] else { return ["-", "-"] }
        let own = row.role == .source ? row.stats.recordsOut : row.stats.recordsIn
        return ["+\(earlier)", String(own + earlier)]
    }

    /// The series scripts recorded with the `metrics` module, one line each (nil when there are none):
    /// ```
    /// metrics
    ///   users.pages{kind="full"}  counter    12
    /// ```
    public func metricsTable() -> String? {
        let lines = rows.flatMap { row in row.metrics.map { ScriptMetricsReport.line(node: row.name, $0) } }
        guard !lines.isEmpty else { return nil }
        let widths = (0..<2).map { i in lines.map { $0[i].count }.max() ?? 0 }
        return "metrics\n" + lines.map { l in
            "  " + l[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                + l[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + l[2]
        }.joined(separator: "\n")
    }

    /// The same as JSON, for `--log-format json`.
    public func json() -> String {
        let nodes: [[String: Any]] = rows.map {
            ["node": $0.name, "kind": $0.role.rawValue, "in": $0.stats.recordsIn, "out": $0.stats.recordsOut,
             "dropped": $0.stats.dropped, "errors": $0.stats.errors, "seconds": $0.stats.seconds,
             "requests": $0.stats.requests, "retries": $0.stats.retries, "dead_lettered": $0.stats.deadLettered,
             "resumed": resumed[$0.name] ?? NSNull()]
        }
        var object: [String: Any] = ["summary": nodes, "seconds": seconds, "interrupted": interrupted, "resumed_run": resumedRun ?? NSNull()]
        let metrics = rows.flatMap { row in row.metrics.map { ScriptMetricsReport.json(node: row.name, $0) } }
        if !metrics.isEmpty { object["metrics"] = metrics }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
