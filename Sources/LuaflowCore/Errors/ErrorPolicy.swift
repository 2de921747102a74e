/// A node's `on_error` policy applied to one failed record.
enum ErrorPolicy {
    /// `fail` rethrows; `skip` counts the record as an error, logs it and lets the run go on.
    static func apply(_ failure: PipelineError, spec: NodeSpec, stats: NodeStats) throws {
        try apply(failure, policy: spec.options.onError, node: spec.name, stats: stats)
    }

    static func apply(_ failure: PipelineError, policy: NodeOptions.OnError, node: String, stats: NodeStats) throws {
        guard policy == .skip else { throw failure }
        stats.update { $0.errors += 1 }
        PipelineLog.logger.warning("skipped a record: \(failure.description)", metadata: ["node": "\(node)"])
    }
}
