/// A node's `on_error` policy applied to one failed record.
enum ErrorPolicy {
    /// `fail` rethrows; `skip` counts the record as an error, logs it and lets the run go on.
    static func apply(_ failure: PipelineError, spec: NodeSpec, stats: NodeStats) throws {
        guard spec.options.onError == .skip else { throw failure }
        stats.update { $0.errors += 1 }
        PipelineLog.logger.warning("skipped a record: \(failure.description)", metadata: ["node": "\(spec.name)"])
    }
}
