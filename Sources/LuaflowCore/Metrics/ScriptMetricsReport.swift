import Foundation

/// How the run summary shows a series a script recorded.
enum ScriptMetricsReport {
    /// `node.name{label="value"}`, the kind, and the value (histograms: count and sum).
    static func line(node: String, _ series: ScriptMetrics.Series) -> [String] {
        let labels = series.labels.isEmpty ? "" : "{" + series.labels.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
        let value = series.kind == .histogram ? "count \(series.count), sum \(format(series.value))" : format(series.value)
        return [Redactor.shared.redact("\(node).\(series.name)\(labels)"), series.kind.rawValue, value]
    }

    static func json(node: String, _ series: ScriptMetrics.Series) -> [String: Any] {
        var object: [String: Any] = ["node": node, "name": series.name, "kind": series.kind.rawValue, "value": series.value,
                                     "labels": Dictionary(series.labels.map { ($0.0, Redactor.shared.redact($0.1)) }) { $1 }]
        if series.kind == .histogram { object["count"] = series.count }
        return object
    }

    /// Integers without a fraction, other values with up to 6 significant digits.
    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.6g", value)
    }
}
