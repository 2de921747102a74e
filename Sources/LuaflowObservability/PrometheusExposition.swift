/// Puts swift-prometheus's text output in a stable shape for people and diffs: metric families
/// sorted by name, each with a `# HELP` line (``MetricHelp``), and within a family the series
/// sorted by their labels (a histogram's bucket, sum and count lines stay together, in order).
enum PrometheusExposition {
    private struct Family {
        var name: String
        var help: String?
        var type: String?
        /// Sample lines, grouped by series (labels without `le`), in the order they came.
        var series: [(key: String, lines: [Substring])] = []
    }

    static func normalized(_ bytes: [UInt8]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        var families: [String: Family] = [:]
        var current: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# ") {
                let parts = line.split(separator: " ", maxSplits: 3)
                guard parts.count >= 3 else { continue }
                let name = String(parts[2])
                current = name
                var family = families[name] ?? Family(name: name)
                let rest = parts.count > 3 ? String(parts[3]) : ""
                if parts[1] == "HELP" { family.help = rest } else if parts[1] == "TYPE" { family.type = rest }
                families[name] = family
            } else if let name = current {
                let key = seriesKey(line, family: name)
                if let i = families[name]!.series.firstIndex(where: { $0.key == key }) {
                    families[name]!.series[i].lines.append(line)
                } else {
                    families[name]!.series.append((key, [line]))
                }
            }
        }
        var out = ""
        for family in families.values.sorted(by: { $0.name < $1.name }) {
            if let help = family.help ?? MetricHelp.help(for: family.name) { out += "# HELP \(family.name) \(help)\n" }
            if let type = family.type { out += "# TYPE \(family.name) \(type)\n" }
            for series in family.series.sorted(by: { $0.key < $1.key }) {
                for line in series.lines { out += line + "\n" }
            }
        }
        return Array(out.utf8)
    }

    /// A sample line's labels without `le` (`{node="a"}`): the lines of one histogram series share it.
    private static func seriesKey(_ line: Substring, family: String) -> String {
        guard let open = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") else { return "" }
        let labels = line[line.index(after: open)..<close]
        return labels.split(separator: ",").filter { !$0.hasPrefix("le=") }.joined(separator: ",")
    }
}
