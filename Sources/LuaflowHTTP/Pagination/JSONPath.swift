import Foundation

/// Dot paths into parsed JSON (`JSONSerialization` output): `data.items`, `meta.next_cursor`,
/// `links.next`, `data.0.id`, `data.-1.id` (negative indexes count from the end). Array indexes are
/// 0-based as in JSON tools; `$.data.items` and `data[0]` are accepted too. The empty path is
/// the value itself. In a records path, `*` stands for every element (`data.*.items`).
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

    /// A JSON scalar, whatever produced it.
    private enum Scalar {
        case string(String), integer(Int), double(Double), boolean(Bool)
    }

    /// Classifies by exact dynamic type: `NSNumber` bridges to `Int` and `Bool` alike (`NSNumber(1)
    /// as? Bool` succeeds on Darwin), so `as?` casts alone would confuse `1` and `true`.
    private static func scalar(_ value: Any?) -> Scalar? {
        guard let value else { return nil }
        let type = Swift.type(of: value)
        if type == Bool.self { return .boolean(value as! Bool) }
        if type == Int.self { return .integer(value as! Int) }
        if type == Double.self { return .double(value as! Double) }
        if let text = value as? String { return .string(text) }
        if let number = value as? NSNumber {
            if isBoolean(number) { return .boolean(number.boolValue) }
            let double = number.doubleValue
            return double == double.rounded() && abs(double) < 9e18 ? .integer(number.intValue) : .double(double)
        }
        return nil
    }

    /// A scalar as text: strings as they are, integral numbers without a decimal point, booleans as
    /// `true`/`false`. Nil for null, objects and arrays. Accepts `JSONSerialization` output
    /// (`NSNumber`) and ``JSONScanner`` output (`Int`, `Double`, `Bool`).
    public static func string(_ value: Any?) -> String? {
        switch scalar(value) {
        case .string(let text): return text
        case .integer(let integer): return String(integer)
        case .double(let double): return double == double.rounded() && abs(double) < 9e18 ? String(Int(double)) : String(double)
        case .boolean(let flag): return flag ? "true" : "false"
        case nil: return nil
        }
    }

    /// An integer from a number or a numeric string.
    public static func int(_ value: Any?) -> Int? {
        switch scalar(value) {
        case .integer(let integer): return integer
        case .double(let double): return double.isFinite && abs(double) < 9e18 ? Int(double) : nil
        case .string(let text): return Int(text.trimmingCharacters(in: .whitespaces))
        case .boolean, nil: return nil
        }
    }

    /// A boolean from `true`/`false`, a number (0 is false), or the strings `"true"`/`"false"`/`"1"`/`"0"`.
    public static func bool(_ value: Any?) -> Bool? {
        switch scalar(value) {
        case .boolean(let flag): return flag
        case .integer(let integer): return integer != 0
        case .double(let double): return double != 0
        case .string(let text): return ["true": true, "false": false, "1": true, "0": false][text.lowercased()]
        case nil: return nil
        }
    }

    /// How many records a page holds: the length of the array at `path` (empty: the body itself);
    /// 0 when there is nothing there; 1 when it is a single object or scalar.
    /// A `*` step counts what the rest of the path finds in every element (or object value) there.
    public static func recordCount(at path: String, in body: Any) -> Int {
        let all = steps(path)
        guard let star = all.firstIndex(of: "*") else {
            guard let value = path.isEmpty ? (body is NSNull ? nil : body) : lookup(path, in: body) else { return 0 }
            if let array = value as? [Any] { return array.count }
            return 1
        }
        guard let container = star == 0 ? body : lookup(all[..<star].joined(separator: "."), in: body) else { return 0 }
        let rest = all[(star + 1)...].joined(separator: ".")
        let children = (container as? [Any]) ?? (container as? [String: Any]).map { Array($0.values) } ?? []
        return children.reduce(0) { $0 + recordCount(at: rest, in: $1) }
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
        return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
        return number.objCType.pointee == 0x63  // "c": how Foundation on Linux stores Bool
        #endif
    }
}
