/// Turns successive snapshots of the nodes' counters into progress rows: a smoothed rate per
/// node, and percent and ETA for sources that know their total: a `count()`, or the size of the
/// file `source.file` reads. Pure: the caller passes
/// the time, so tests need no clock.
public struct ProgressTracker: Sendable {
    private var last: [Int]?
    private var lastTime = 0.0
    private var rates: [Double] = []

    public init() {}

    /// The rows for `nodes` at `time` (seconds since the run started).
    public mutating func update(_ nodes: [(name: String, role: NodeSpec.Role, stats: NodeStats.Snapshot)], at time: Double) -> [ProgressRow] {
        let done = nodes.map { Self.processed($0.role, $0.stats) }
        if rates.count != nodes.count { rates = Array(repeating: 0, count: nodes.count) }
        let dt = time - lastTime
        if let last, last.count == done.count, dt > 0 {
            for i in done.indices {
                let instant = Double(done[i] - last[i]) / dt
                rates[i] = rates[i] == 0 ? instant : 0.6 * rates[i] + 0.4 * instant
            }
        } else if time > 0 {
            rates = done.map { Double($0) / time }
        }
        last = done
        lastTime = time
        return nodes.indices.map { i in
            let n = nodes[i]
            var row = ProgressRow(name: n.name, role: n.role, recordsIn: n.stats.recordsIn, recordsOut: n.stats.recordsOut,
                                  rate: rates[i], retries: n.stats.retries)
            guard n.role == .source else { return row }
            if let expected = n.stats.expected {
                row.percent = expected == 0 ? 100 : min(100, done[i] * 100 / expected)
                let remaining = max(0, expected - done[i])
                row.eta = remaining == 0 ? 0 : rates[i] > 0 ? Double(remaining) / rates[i] : nil
            } else if let total = n.stats.bytesTotal {
                let read = n.stats.bytesRead
                row.percent = total == 0 ? 100 : min(100, read * 100 / total)
                // The records still to come, estimated from the bytes per record so far.
                let remaining = read > 0 ? Double(done[i]) * Double(total - read) / Double(read) : nil
                row.eta = read >= total ? 0 : remaining.flatMap { rates[i] > 0 ? $0 / rates[i] : nil }
            }
            return row
        }
    }

    /// Records a node has handled: produced for a source, received otherwise.
    static func processed(_ role: NodeSpec.Role, _ stats: NodeStats.Snapshot) -> Int {
        role == .source ? stats.recordsOut : stats.recordsIn
    }
}
