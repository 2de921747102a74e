import Foundation
import LuaflowCore

/// The contents of a state store, as a table for people or JSON.
struct StateReport {
    let path: String
    let pipeline: String
    /// The other pipelines whose state the store holds (pipelines of one directory share it).
    let otherPipelines: [String]
    let run: (status: RunStatus, startedAt: String, finishedAt: String?)?
    /// "running" only while a run holds the lock; a "running" run that does not was killed.
    let status: String?
    let streams: [StreamState]
    let sinks: [SinkToken]

    init(store: any StateBackend) throws {
        path = store.location
        pipeline = store.pipeline
        otherPipelines = try store.pipelines().filter { $0 != store.pipeline }
        run = try store.lastRun().map { ($0.status, $0.startedAt, $0.finishedAt) }
        let running = StateLock.isHeld(location: store.location, pipeline: store.pipeline)
        status = run.map { run in
            run.status == .running && !running ? "killed" : run.status.rawValue
        }
        streams = try store.streams()
        sinks = try store.sinkTokens()
    }

    func table() -> String {
        var lines = ["state: \(path)", "pipeline: \(pipeline)"]
        if !otherPipelines.isEmpty {
            lines.append("other pipelines in this store: \(otherPipelines.joined(separator: ", "))")
        }
        if let run {
            let how = run.status.isUnfinished ? "\(status!) (the next run resumes)" : run.status.rawValue
            lines.append("last run: \(how), started \(run.startedAt)" + (run.finishedAt.map { ", ended \($0)" } ?? ""))
        } else {
            lines.append("no run recorded yet")
        }
        guard !streams.isEmpty else { return lines.joined(separator: "\n") }
        let header = ["node", "stream", "cursor", "resume at", "records (all runs)", "last run"]
        var rows: [[String]] = []
        for s in streams {
            let resume = s.pagination ?? (s.skip > 0 ? "record \(s.skip + 1)" : "-")
            rows.append([s.node, s.stream.isEmpty ? "-" : s.stream, s.cursor ?? "-", resume, String(s.records), s.lastRun ?? "-"])
            for p in s.partitions {
                let at = p.pagination ?? (p.exhausted ? "done" : "-")
                rows.append(["", "partition \(p.key)", p.cursor ?? "-", at, String(p.records), ""])
            }
        }
        lines += TextTable.lines([header] + rows)  // partition rows keep their indent under the node
        for sink in sinks {
            lines.append("in progress: \(sink.node): \(sink.records) records checkpointed" + (sink.data.map { ", \($0)" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    func json() -> String {
        func parsed(_ text: String?) -> Any {
            guard let text, let data = text.data(using: .utf8),
                  let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return NSNull() }
            return value
        }
        func partition(_ p: PartitionState) -> [String: Any] {
            ["key": p.key, "partition": parsed(p.partition), "cursor": parsed(p.cursor), "pagination": parsed(p.pagination),
             "done": p.exhausted, "records": p.records]
        }
        let object: [String: Any] = [
            "path": path,
            "pipeline": pipeline,
            "other_pipelines": otherPipelines,
            "run": run.map { ["status": status!, "started_at": $0.startedAt, "finished_at": $0.finishedAt ?? NSNull()] as [String: Any] } ?? NSNull(),
            "streams": streams.map { s -> [String: Any] in
                ["node": s.node, "stream": s.stream, "cursor": parsed(s.cursor), "pagination": parsed(s.pagination),
                 "skip": s.skip, "records": s.records, "last_run": s.lastRun ?? NSNull(), "updated_at": s.updatedAt ?? NSNull(),
                 "partitions": s.partitions.map(partition)]
            },
            "sinks": sinks.map { ["node": $0.node, "records": $0.records, "token": parsed($0.data)] as [String: Any] },
        ]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
