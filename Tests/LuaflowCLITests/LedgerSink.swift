import Foundation

/// A Lua sink that keeps its rows like a database with transactions, in `ledger.log`: rows, then
/// `COMMIT n` when load `n` commits (in one write, so a kill never leaves half a load committed),
/// `ACK n` when `commit(token)` hears the state store committed it, `RESET k` when a run starts and
/// undoes every load after `k` (the token it resumed from; 0 for a fresh run). `fail_at =
/// "hook:n"` raises in the n-th call of a hook; `hang_in_final_commit` spins in the final
/// `commit(token)` so a test can kill the run while it publishes.
enum LedgerSink {
    static let script = """
    schema = {
      fail_at = { type = "string", default = "" },
      hang_in_final_commit = { type = "boolean", default = false },
    }
    local load, staged, calls, finishing = 0, {}, {}, false

    local function step(hook)
      calls[hook] = (calls[hook] or 0) + 1
      if config.fail_at == hook .. ":" .. calls[hook] then error("injected failure in " .. hook, 0) end
    end

    local function append(text)
      local f = assert(io.open("ledger.log", "a"))
      f:write(text)
      f:close()
    end

    function init(token)
      step("init")
      load = token and token.load or 0
      append("RESET " .. load .. "\\n")
    end

    function write(batch)
      step("write")
      for _, r in ipairs(batch) do staged[#staged + 1] = json.encode(r) end
    end

    function flush()
      step("flush")
      if #staged > 0 then
        load = load + 1
        append(table.concat(staged, "\\n") .. "\\nCOMMIT " .. load .. "\\n")
        staged = {}
      end
      return { load = load, final = finishing or nil }
    end

    function commit(token)
      step("commit")
      if token.final and config.hang_in_final_commit then
        io.open("hanging", "w"):close()
        while true do end
      end
      append("ACK " .. token.load .. (token.final and " final" or "") .. "\\n")
    end

    function finalize()
      step("finalize")
      finishing = true
    end
    """

    /// The ids of the rows the ledger holds once its log is replayed. Fails the replay when
    /// `commit(token)` was told about a load that a later run undid. `keepingCompletedRuns`: the
    /// rows of every completed run are kept (an incremental source's runs add up) rather than
    /// replaced by the next run's.
    static func replay(_ dir: URL, keepingCompletedRuns: Bool = false) throws -> [Int] {
        var completed: [Int] = []
        var committed: [(load: Int, rows: [Int])] = []
        var pending: [Int] = []
        var acknowledged = 0
        for line in try String(contentsOf: dir.appendingPathComponent("ledger.log"), encoding: .utf8).split(separator: "\n") {
            let words = line.split(separator: " ")
            switch words.first {
            case "COMMIT":
                committed.append((Int(words[1])!, pending))
                pending = []
            case "RESET":
                let kept = Int(words[1])!
                guard kept >= acknowledged else { throw LedgerError("load \(acknowledged) was acknowledged, then undone (RESET \(kept))") }
                committed.removeAll { $0.load > kept }
                pending = []
            case "ACK":
                acknowledged = max(acknowledged, Int(words[1])!)
                guard acknowledged == 0 || committed.contains(where: { $0.load == acknowledged }) else {
                    throw LedgerError("ACK of uncommitted load \(acknowledged)")
                }
                // The run completed: the next one starts afresh.
                if words.last == "final" {
                    acknowledged = 0
                    if keepingCompletedRuns {
                        completed += committed.flatMap(\.rows)
                        committed = []
                    }
                }
            default:
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                pending.append(object["id"] as! Int)
            }
        }
        return completed + committed.flatMap(\.rows)
    }

    struct LedgerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
