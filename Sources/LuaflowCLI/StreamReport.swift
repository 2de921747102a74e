import Foundation
import LuaflowCore

/// How `discover` prints streams: a field table per stream (a column table for a database's
/// tables), or JSON Schema documents.
enum StreamReport {
    /// ```
    /// stream customers: 3 records sampled
    ///   field         type            required
    ///   email         string | null   yes
    /// ```
    static func text(_ streams: [DiscoveredStream]) -> String {
        streams.map { stream in
            var head = "stream \(stream.name): \(stream.records) record\(stream.records == 1 ? "" : "s") sampled"
            let rows = stream.columns.isEmpty ? fields(stream.schema, prefix: "")
                : stream.columns.map { [$0.name, $0.type, $0.nullable ? "no" : "yes"] }
            if rows.isEmpty {
                if stream.records > 0 { head += " (values of type \(stream.schema.label))" }
                return head
            }
            let all = [[stream.columns.isEmpty ? "field" : "column", "type", "required"]] + rows
            let widths = (0..<2).map { i in all.map { $0[i].count }.max() ?? 0 }
            return head + "\n" + all.map { r in
                "  " + r[0].padding(toLength: widths[0], withPad: " ", startingAt: 0) + "  "
                    + r[1].padding(toLength: widths[1], withPad: " ", startingAt: 0) + "  " + r[2]
            }.joined(separator: "\n")
        }.joined(separator: "\n\n")
    }

    /// One row per property, nested objects as `parent.child`, items of arrays of objects as `list[].field`.
    private static func fields(_ schema: InferredSchema, prefix: String) -> [[String]] {
        let required = Set(schema.required)
        return schema.properties.keys.sorted().flatMap { key -> [[String]] in
            let field = schema.properties[key]!
            let name = prefix + key
            var rows = [[name, field.label, required.contains(key) ? "yes" : "no"]]
            if field.types.contains("object") { rows += fields(field, prefix: name + ".") }
            if let items = field.items, items.types.contains("object") { rows += fields(items, prefix: name + "[].") }
            return rows
        }
    }

    static func json(_ streams: [DiscoveredStream]) -> String {
        let list: [[String: Any]] = streams.map { stream in
            var schema = stream.schema.jsonSchema()
            schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            var entry: [String: Any] = ["name": stream.name, "records": stream.records, "schema": schema]
            if !stream.columns.isEmpty {
                entry["columns"] = stream.columns.map { ["name": $0.name, "type": $0.type, "nullable": $0.nullable] as [String: Any] }
            }
            return entry
        }
        let data = (try? JSONSerialization.data(withJSONObject: ["streams": list], options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
