import Foundation

/// A JSON Schema inferred from sample values: the JSON types seen at each position (`integer`
/// becomes `number` when both occur), `null` when `json.null` was seen, object properties
/// recursively with `required` listing those present in every object, and array item types.
public struct InferredSchema: Sendable {
    /// JSON type names seen here, among null, boolean, integer, number, string, object, array.
    public private(set) var types: Set<String> = []
    /// Object properties, by name.
    public private(set) var properties: [String: InferredSchema] = [:]
    /// How many of the objects seen had each property.
    private var presence: [String: Int] = [:]
    private var objects = 0
    private var itemSchema: Box?

    public init() {}

    /// Adds one value as `JSONSerialization` gives it.
    public mutating func observe(_ value: Any) {
        switch value {
        case is NSNull:
            types.insert("null")
        case is String:
            types.insert("string")
        case let n as NSNumber:
            types.insert(Self.kind(of: n))
        case is Bool:
            types.insert("boolean")
        case is Int:
            types.insert("integer")
        case is Double:
            types.insert("number")
        case let object as [String: Any]:
            types.insert("object")
            objects += 1
            for (key, v) in object {
                presence[key, default: 0] += 1
                properties[key, default: InferredSchema()].observe(v)
            }
        case let list as [Any]:
            types.insert("array")
            var items = itemSchema?.value ?? InferredSchema()
            for item in list { items.observe(item) }
            itemSchema = Box(items)
        default:
            types.insert("string")
        }
    }

    /// What array items looked like, when arrays with items were seen.
    public var items: InferredSchema? {
        guard let items = itemSchema?.value, !items.types.isEmpty else { return nil }
        return items
    }

    /// Properties present in every object seen, sorted.
    public var required: [String] {
        presence.filter { $0.value == objects }.map(\.key).sorted()
    }

    /// The type names to show: `integer` folds into `number` when both occur; sorted with
    /// `null` last.
    public var typeNames: [String] {
        var t = types
        if t.contains("number") { t.remove("integer") }
        let order = ["object", "array", "string", "integer", "number", "boolean", "null"]
        return order.filter(t.contains)
    }

    /// The schema as a JSON Schema object (`type` is a string, or a list when several occur).
    public func jsonSchema() -> [String: Any] {
        var out: [String: Any] = [:]
        let names = typeNames
        if names.count == 1 { out["type"] = names[0] } else if !names.isEmpty { out["type"] = names }
        if types.contains("object") {
            out["properties"] = properties.mapValues { $0.jsonSchema() }
            out["required"] = required
        }
        if types.contains("array") { out["items"] = items?.jsonSchema() ?? [String: Any]() }
        return out
    }

    /// A short type label for people: `string | null`, `array<integer>`, `object`.
    public var label: String {
        typeNames.map { name in
            name == "array" ? "array<\(items?.label ?? "empty")>" : name
        }.joined(separator: " | ")
    }

    static func kind(of n: NSNumber) -> String {
        switch String(cString: n.objCType) {
        case "c", "B": return "boolean"
        case "d", "f": return "number"
        default: return "integer"
        }
    }

    /// Indirection for the recursive array item schema.
    private final class Box: @unchecked Sendable {
        let value: InferredSchema
        init(_ value: InferredSchema) { self.value = value }
    }
}
