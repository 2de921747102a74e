import Foundation

/// The text of the live progress display: a header and one line per node.
/// ```
/// node      kind           in       out      rate  retries  progress
/// users     source          -      4500    1500/s        0  45%  ETA 4s
/// ```
public enum ProgressFormatter {
    public static func lines(_ rows: [ProgressRow], elapsed: Double) -> [String] {
        let header = ["node", "kind", "in", "out", "rate", "retries", "progress"]
        let cells = rows.map { r -> [String] in
            [r.name, r.role.rawValue,
             r.role == .source ? "-" : String(r.recordsIn),
             r.role == .sink ? "-" : String(r.recordsOut),
             rate(r.rate),
             String(r.retries),
             progress(r)]
        }
        let minimum = [0, 0, 8, 8, 9, 7, 0]
        let widths = header.indices.map { i in max(minimum[i], ([header] + cells).map { $0[i].count }.max() ?? 0) }
        func render(_ line: [String]) -> String {
            line.enumerated().map { i, c in
                i < 2 || i == 6 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                                : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        return ([header] + cells).map(render) + [String(format: "running %@", duration(elapsed))]
    }

    static func rate(_ perSecond: Double) -> String {
        if perSecond >= 10_000 { return String(format: "%.0fk/s", perSecond / 1000) }
        if perSecond >= 10 || perSecond == 0 { return String(format: "%.0f/s", perSecond) }
        return String(format: "%.1f/s", perSecond)
    }

    static func progress(_ row: ProgressRow) -> String {
        guard let percent = row.percent else { return "" }
        guard let eta = row.eta else { return "\(percent)%" }
        return "\(percent)%  ETA \(duration(eta))"
    }

    /// `7s`, `1m05s`, `2h03m`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
