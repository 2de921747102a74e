import Foundation

/// An OTLP/HTTP receiver with JSON encoding (`OTEL_EXPORTER_OTLP_PROTOCOL=http/json`):
/// `/v1/traces` and `/v1/metrics` accept every export (answering `{}`), and the decoders below read
/// what arrived from the request log.
extension TestHTTPServer {
    /// A span as exported: IDs in lowercase hex, attributes as strings, event names in order.
    public struct OTLPSpan: Sendable {
        public var traceID: String
        public var spanID: String
        /// Empty for a root span.
        public var parentSpanID: String
        public var name: String
        public var attributes: [String: String]
        public var events: [(name: String, attributes: [String: String])]
    }

    public func installOTLPRoutes() {
        route("/v1/traces") { _ in .json([String: Any]()) }
        route("/v1/metrics") { _ in .json([String: Any]()) }
    }

    /// Every span exported to `/v1/traces` so far.
    public func exportedSpans() -> [OTLPSpan] {
        requests(path: "/v1/traces").flatMap { request -> [OTLPSpan] in
            let root = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            return Self.list(root["resourceSpans"]).flatMap { Self.list($0["scopeSpans"]) }.flatMap { Self.list($0["spans"]) }.map { span in
                OTLPSpan(traceID: Self.hexID(span["traceId"]), spanID: Self.hexID(span["spanId"]), parentSpanID: Self.hexID(span["parentSpanId"]),
                         name: span["name"] as? String ?? "", attributes: Self.attributes(span["attributes"]),
                         events: Self.list(span["events"]).map { ($0["name"] as? String ?? "", Self.attributes($0["attributes"])) })
            }
        }
    }

    /// The names of every metric exported to `/v1/metrics` so far, with the attributes of each data point.
    public func exportedMetrics() -> [(name: String, attributes: [String: String])] {
        requests(path: "/v1/metrics").flatMap { request -> [(name: String, attributes: [String: String])] in
            let root = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] ?? [:]
            return Self.list(root["resourceMetrics"]).flatMap { Self.list($0["scopeMetrics"]) }.flatMap { Self.list($0["metrics"]) }
                .flatMap { metric -> [(name: String, attributes: [String: String])] in
                    let name = metric["name"] as? String ?? ""
                    let points = ["sum", "gauge", "histogram"].flatMap { Self.list((metric[$0] as? [String: Any])?["dataPoints"]) }
                    return points.isEmpty ? [(name, [:])] : points.map { (name, Self.attributes($0["attributes"])) }
                }
        }
    }

    private static func list(_ value: Any?) -> [[String: Any]] {
        value as? [[String: Any]] ?? []
    }

    /// `[{"key": k, "value": {"stringValue": v}}]` (or int, double, bool values) as strings.
    private static func attributes(_ value: Any?) -> [String: String] {
        Dictionary(list(value).compactMap { pair -> (String, String)? in
            guard let key = pair["key"] as? String, let value = (pair["value"] as? [String: Any])?.values.first else { return nil }
            return (key, "\(value)")
        }) { $1 }
    }

    /// Protobuf's JSON mapping writes bytes fields (trace and span IDs) in base64; the OTLP spec
    /// asks for hex. Either becomes lowercase hex.
    private static func hexID(_ value: Any?) -> String {
        guard let text = value as? String, !text.isEmpty else { return "" }
        if text.count == 16 || text.count == 32, text.allSatisfy(\.isHexDigit) { return text.lowercased() }
        guard let bytes = Data(base64Encoded: text) else { return text }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
