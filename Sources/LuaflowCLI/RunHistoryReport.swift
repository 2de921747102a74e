import Foundation
import LuaflowCore

/// The run history as a table for people or JSON.
struct RunHistoryReport {
    let records: [RunRecord]
    /// Whether a run holds the pipeline's lock now: its newest attempt is going on, not killed.
    let running: Bool
    /// The other pipelines whose runs the store holds, named below the table.
    var otherPipelines: [String] = []

    /// `running` for the attempt going on now, `killed` for one that ended without saying how.
    func outcome(_ record: RunRecord) -> String {
        guard record.outcome == "running" else { return record.outcome }
        return running && record.id == records.first?.id ? "running" : "killed"
    }

    func table() -> String {
        let others = otherPipelines.isEmpty ? [] : ["other pipelines in this store: \(otherPipelines.joined(separator: ", "))"]
        guard !records.isEmpty else { return (["no runs recorded yet"] + others).joined(separator: "\n") }
        let header = ["started", "took", "outcome", "records", "requests", "retries", "resumed"]
        let rows = records.map { r -> [String] in
            let counts = r.nodes.map { node -> String in
                switch node.kind {
                case "source": return "\(node.node) \(node.recordsOut) out"
                case "sink": return "\(node.node) \(node.recordsIn) in"
                default: return "\(node.node) \(node.recordsIn) in/\(node.recordsOut) out"
                }
            }
            let resumed = r.resumedFrom.isEmpty ? "-"
                : "run of \(r.runStartedAt): " + r.resumedFrom.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: "; ")
            return [r.startedAt, r.seconds.map { String(format: "%.2fs", $0) } ?? "-", outcome(r),
                    counts.isEmpty ? "-" : counts.joined(separator: ", "), String(r.requests), String(r.retries), resumed]
        }
        return (TextTable.lines([header] + rows) + others).joined(separator: "\n")
    }

    func json() -> String {
        let objects: [[String: Any]] = records.map { r in
            ["run_started_at": r.runStartedAt, "started_at": r.startedAt, "finished_at": r.finishedAt ?? NSNull(),
             "seconds": r.seconds ?? NSNull(), "outcome": outcome(r), "resumed_from": r.resumedFrom,
             "requests": r.requests, "retries": r.retries,
             "nodes": r.nodes.map { n -> [String: Any] in
                 ["node": n.node, "kind": n.kind, "in": n.recordsIn, "out": n.recordsOut, "errors": n.errors,
                  "resumed": n.resumed ?? NSNull()]
             }]
        }
        let data = try! JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
