import Foundation

/// One partition a source's `partitions()` returned: the table as canonical JSON and the key that
/// identifies it across runs (its `key` field when it has one, else that canonical JSON).
struct DeclaredPartition: Equatable {
    let key: String
    let json: String

    /// The partitions in `list`, the JSON of what `partitions()` returned; throws a message that
    /// says what was expected when it is not a list of tables or two partitions share a key.
    static func parse(_ list: [UInt8]) throws -> [DeclaredPartition] {
        let value = try? JSONSerialization.jsonObject(with: Data(list), options: [.fragmentsAllowed])
        let items: [Any]
        if let array = value as? [Any] {
            items = array
        } else if let object = value as? [String: Any], object.isEmpty {
            items = []  // an empty Lua table
        } else {
            throw PartitionError("partitions() must return a list of tables, one per partition")
        }
        var seen: [String: Int] = [:]
        return try items.enumerated().map { index, item in
            let object: [String: Any]
            if let dictionary = item as? [String: Any] {
                object = dictionary
            } else if let array = item as? [Any], array.isEmpty {
                object = [:]
            } else {
                throw PartitionError("partitions() returned a \(kind(of: item)) as partition \(index + 1); each partition must be a table with named fields")
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            let json = String(decoding: data, as: UTF8.self)
            let key: String
            switch object["key"] {
            case let text as String: key = text
            case let number as NSNumber: key = number.stringValue
            case nil: key = json
            default: throw PartitionError("partition \(index + 1) has a `key` that is neither a string nor a number")
            }
            if let first = seen.updateValue(index + 1, forKey: key) {
                throw PartitionError("partitions \(first) and \(index + 1) have the same key \(key); each partition needs its own")
            }
            return DeclaredPartition(key: key, json: json)
        }
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is String: return "string"
        case is NSNumber: return "number"
        case is [Any]: return "list"
        default: return "value"
        }
    }
}

/// Why the result of `partitions()` cannot be used.
struct PartitionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
