import LuaBridge

extension LuaSourceRuntime {
    /// Calls the script's `count()` once, if it defines one, and keeps the total (capped by
    /// `max_items` and `--limit`) for progress and ETA. A failing or odd `count()` is logged and
    /// ignored: it never stops a run. `nil` means the total is unknown.
    func recordExpectedCount() {
        guard let fn = node.function("count") else { return }
        let total: LuaValue
        do {
            total = try node.lua.call(fn, results: 1)[0]
        } catch let error as LuaError {
            PipelineLog.logger.warning("count() failed, so progress has no ETA: \(Redactor.shared.redact(error.message))",
                                       metadata: ["node": "\(node.spec.name)"])
            return
        } catch {
            return
        }
        if total == .nil { return }
        guard case .integer(let n) = total, n >= 0 else {
            PipelineLog.logger.warning("count() should return a non-negative integer or nil, got \(total); progress has no ETA",
                                       metadata: ["node": "\(node.spec.name)"])
            return
        }
        let expected = [Int(n), maxItems].compactMap { $0 }.min()
        stats.update { $0.expected = expected }
    }
}
