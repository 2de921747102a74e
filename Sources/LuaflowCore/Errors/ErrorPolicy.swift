/// A node's `on_error` policy applied to one failed record (or source call).
enum ErrorPolicy {
    /// `fail` rethrows; `skip` counts the failure and logs it; `dead_letter` also writes the
    /// record (its JSON text, when there is one) and the error to the node's dead-letter file.
    static func apply(_ failure: PipelineError, spec: NodeSpec, stats: NodeStats, record: [UInt8]? = nil) throws {
        try apply(failure, policy: spec.options.onError, node: spec.name, stats: stats, record: record)
    }

    static func apply(_ failure: PipelineError, policy: NodeOptions.OnError, node: String, stats: NodeStats,
                      record: [UInt8]? = nil) throws {
        guard policy != .fail else { throw failure }
        stats.update { $0.errors += 1 }
        if policy == .deadLetter, let file = stats.deadLetters {
            try file.append(error: failure.description, record: record)
            stats.update { $0.deadLettered += 1 }
            PipelineLog.logger.warning("dead-lettered a record to \(file.path): \(failure.description)", metadata: ["node": "\(node)"])
        } else {
            PipelineLog.logger.warning("skipped a record: \(failure.description)", metadata: ["node": "\(node)"])
        }
    }
}
