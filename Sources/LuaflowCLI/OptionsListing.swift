import Foundation

/// `luaflow check --options`: each node's settings, read from its JSON Schema (``ConnectorSpec``),
/// one row per setting with its type, default and description; nested tables indented under
/// their setting, a paginator's fields under each `type`, the entries of a table keyed by names
/// under `<name>`. The common options, the same for every node, are listed once at the end.
enum OptionsListing {
    /// `nodes`: the node's name, what it runs and its schema document.
    static func text(_ nodes: [(name: String, what: String, schema: [String: Any])]) -> String {
        var out: [String] = []
        var common: [String: Any] = [:]
        var commonRequired: Set<String> = []
        for node in nodes {
            let properties = node.schema["properties"] as? [String: Any] ?? [:]
            let own = properties.filter { ($0.value as? [String: Any])?["x-luaflow-common"] as? Bool != true }
            for (key, value) in properties where own[key] == nil { common[key] = value }
            commonRequired.formUnion(((node.schema["required"] as? [String]) ?? []).filter { own[$0] == nil })
            out.append("\(node.name) (\(node.what)):")
            let rows = self.rows(own, required: Set(node.schema["required"] as? [String] ?? []), depth: 0)
            out += rows.isEmpty ? ["  no options of its own"] : format(rows)
        }
        if !common.isEmpty {
            out.append("common options (every node):")
            out += format(rows(common, required: commonRequired, depth: 0))
        }
        return out.joined(separator: "\n")
    }

    private typealias Row = (name: String, type: String, description: String)

    private static func rows(_ properties: [String: Any], required: Set<String>, depth: Int) -> [Row] {
        let indent = String(repeating: "  ", count: depth)
        var rows: [Row] = []
        for key in properties.keys.sorted() {
            guard let field = properties[key] as? [String: Any] else { continue }
            var type = summary(field)
            if required.contains(key) { type += ", required" }
            if let value = field["default"] { type += ", default \(json(value))" }
            if field["x-has-default"] as? Bool == true { type += ", default (secret, not shown)" }
            rows.append((indent + key, type, field["description"] as? String ?? ""))
            if let each = field["additionalProperties"] as? [String: Any], let nested = each["properties"] as? [String: Any] {
                // A table keyed by names (source.http's resources): the settings of each entry.
                rows.append((indent + "  <name>", summary(each), "each entry"))
                rows += self.rows(nested, required: Set(each["required"] as? [String] ?? []), depth: depth + 2)
            }
            let object = field["properties"] != nil ? field : (field["anyOf"] as? [[String: Any]])?.first { $0["properties"] != nil }
            guard let object, let nested = object["properties"] as? [String: Any] else { continue }
            let nestedRequired = Set(object["required"] as? [String] ?? [])
            let variants = (object["oneOf"] as? [[String: Any]] ?? []).filter { $0["properties"] != nil }
            rows += self.rows(nested, required: nestedRequired, depth: depth + 1)
            for variant in variants {
                var fields = variant["properties"] as? [String: Any] ?? [:]
                guard let tag = fields.first(where: { ($0.value as? [String: Any])?["const"] != nil }) else { continue }
                fields[tag.key] = nil
                let name = ((tag.value as? [String: Any])?["const"]).map(json) ?? ""
                rows.append((indent + "  " + "\(tag.key) = \(name):", "", ""))
                rows += self.rows(fields, required: Set(variant["required"] as? [String] ?? []), depth: depth + 2)
            }
        }
        return rows
    }

    /// `integer >= 1`, `one of "a", "b"`, `secret string`, `table`, `list of strings`.
    private static func summary(_ field: [String: Any]) -> String {
        if let alternatives = field["anyOf"] as? [[String: Any]] {
            return alternatives.map(summary).joined(separator: " or ")
        }
        if let values = field["enum"] as? [Any] { return "one of " + values.map(json).joined(separator: ", ") }
        var text = field["format"] as? String == "uri" ? "url" : (field["type"] as? String).map { $0 == "object" ? "table" : $0 } ?? "any"
        if text == "array" { text = "list" + ((field["items"] as? [String: Any]).map { " of \(summary($0))" } ?? "") }
        if field["writeOnly"] as? Bool == true { text = "secret " + text }
        if let min = field["minimum"] { text += " >= \(json(min))" }
        if let min = field["exclusiveMinimum"] { text += " > \(json(min))" }
        if let max = field["maximum"] { text += " <= \(json(max))" }
        return text
    }

    private static func json(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Aligned columns; a type longer than 40 characters pushes its own description right.
    private static func format(_ rows: [Row]) -> [String] {
        func pad(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count)) + "  "
        }
        let nameWidth = rows.map(\.name.count).max() ?? 0
        let typeWidth = rows.map(\.type.count).filter { $0 <= 40 }.max() ?? 0
        return rows.map { row in
            var line = "  " + pad(row.name, nameWidth) + pad(row.type, typeWidth) + row.description
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
    }
}
