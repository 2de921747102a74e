import Foundation

/// Dot paths into parsed JSON (`JSONSerialization` output): `data.items`, `meta.next_cursor`,
/// `links.next`, `data.0.id`, `data.-1.id` (negative indexes count from the end). Array indexes are
/// 0-based as in JSON tools; `$.data.items` and `data[0]` are accepted too. The empty path is
/// the value itself.
public enum JSONPath {
    /// The value at `path`, or nil when a step is missing or the value is JSON `null`.
    public static func lookup(_ path: String, in root: Any) -> Any? {
        var current: Any = root
        for step in steps(path) {
            if let object = current as? [String: Any] {
                guard let next = object[step] else { return nil }
                current = next
            } else if let array = current as? [Any], let index = Int(step) {
                let position = index < 0 ? array.count + index : index
                guard array.indices.contains(position) else { return nil }
                current = array[position]
            } else {
                return nil
            }
        }
        return current is NSNull ? nil : current
    }

    /// The steps of `path`: `$.a.b[0]` → `["a", "b", "0"]`.
    static func steps(_ path: String) -> [String] {
        var text = path.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("$") { text.removeFirst() }
        text = text.replacingOccurrences(of: "[", with: ".").replacingOccurrences(of: "]", with: "")
        return text.split(separator: ".", omittingEmptySubsequences: true).map(String.init)
    }

    /// A scalar as text: strings as they are, integral numbers without a decimal point, booleans as
    /// `true`/`false`. Nil for null, objects and arrays.
    public static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            if isBoolean(number) { return number.boolValue ? "true" : "false" }
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e18 { return String(number.int64Value) }
            return String(double)
        default: return nil
        }
    }

    /// An integer from a number or a numeric string.
    public static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber, !isBoolean(number) {
            let double = number.doubleValue
            return double.isFinite && abs(double) < 1e18 ? Int(double) : nil
        }
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    /// A boolean from `true`/`false`, `1`/`0`, or the strings `"true"`/`"false"`.
    public static func bool(_ value: Any?) -> Bool? {
        if let number = value as? NSNumber { return number.boolValue }
        if let text = value as? String { return ["true": true, "false": false, "1": true, "0": false][text.lowercased()] }
        return nil
    }

    /// How many records a page holds: the length of the array at `path` (empty: the body itself);
    /// 0 when there is nothing there; 1 when it is a single object or scalar.
    public static func recordCount(at path: String, in body: Any) -> Int {
        guard let value = path.isEmpty ? (body is NSNull ? nil : body) : lookup(path, in: body) else { return 0 }
        if let array = value as? [Any] { return array.count }
        return 1
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        return number.objCType.pointee == 0x63  // "c": how Foundation on Linux stores Bool
        #endif
    }
}
