import Foundation

/// Helpers for decoding config tables written by Lua users (turned into JSON by the host) once
/// ``HTTPSchemas`` checked them: snake_case keys, numbers where Lua may give an integer or a
/// float, empty tables that arrive as `[]` or `{}`.
struct ConfigKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

typealias ConfigContainer = KeyedDecodingContainer<ConfigKey>

extension Decoder {
    /// The keyed container of a config section. Which keys it may hold is the schema's business
    /// (``HTTPSchemas``): keys no decoder reads are ignored here.
    func configContainer() throws -> ConfigContainer {
        try container(keyedBy: ConfigKey.self)
    }
}

extension KeyedDecodingContainer where Key == ConfigKey {
    func has(_ key: String) -> Bool {
        (try? decodeNil(forKey: ConfigKey(key))) == false
    }

    func string(_ key: String, _ section: String) throws -> String? {
        guard has(key) else { return nil }
        if let s = try? decode(String.self, forKey: ConfigKey(key)) { return s }
        if let i = try? decode(Int.self, forKey: ConfigKey(key)) { return String(i) }
        if let d = try? decode(Double.self, forKey: ConfigKey(key)) { return String(d) }
        throw HTTPError.invalidConfig(section, "\(key) must be a string")
    }

    func double(_ key: String, _ section: String) throws -> Double? {
        guard has(key) else { return nil }
        guard let d = try? decode(Double.self, forKey: ConfigKey(key)), d.isFinite else {
            throw HTTPError.invalidConfig(section, "\(key) must be a number")
        }
        return d
    }

    func int(_ key: String, _ section: String) throws -> Int? {
        guard let d = try double(key, section) else { return nil }
        guard d == d.rounded(), abs(d) < 1e15 else { throw HTTPError.invalidConfig(section, "\(key) must be an integer") }
        return Int(d)
    }

    func bool(_ key: String, _ section: String) throws -> Bool? {
        guard has(key) else { return nil }
        guard let b = try? decode(Bool.self, forKey: ConfigKey(key)) else {
            throw HTTPError.invalidConfig(section, "\(key) must be true or false")
        }
        return b
    }

    /// A list of strings; an empty table (`{}` or `[]`) is an empty list; a single string is a list of one.
    func strings(_ key: String, _ section: String) throws -> [String]? {
        guard has(key) else { return nil }
        if let list = try? decode([FlexibleString].self, forKey: ConfigKey(key)) { return list.map(\.value) }
        if let one = try? decode(String.self, forKey: ConfigKey(key)) { return [one] }
        if let map = try? decode([String: FlexibleString].self, forKey: ConfigKey(key)), map.isEmpty { return [] }
        throw HTTPError.invalidConfig(section, "\(key) must be a list of strings")
    }

    /// A list of integers; an empty table is an empty list.
    func ints(_ key: String, _ section: String) throws -> [Int]? {
        guard has(key) else { return nil }
        if let list = try? decode([Double].self, forKey: ConfigKey(key)), list.allSatisfy({ $0 == $0.rounded() }) {
            return list.map { Int($0) }
        }
        if let map = try? decode([String: Double].self, forKey: ConfigKey(key)), map.isEmpty { return [] }
        throw HTTPError.invalidConfig(section, "\(key) must be a list of integers")
    }

    /// A table of string keys to strings (numbers and booleans are turned into strings); an empty
    /// table is an empty dictionary.
    func stringMap(_ key: String, _ section: String) throws -> [String: String]? {
        guard has(key) else { return nil }
        if let map = try? decode([String: FlexibleString].self, forKey: ConfigKey(key)) { return map.mapValues(\.value) }
        if let list = try? decode([FlexibleString].self, forKey: ConfigKey(key)), list.isEmpty { return [:] }
        throw HTTPError.invalidConfig(section, "\(key) must be a table of names to strings")
    }

    func section<T: Decodable>(_ type: T.Type, _ key: String) throws -> T? {
        guard has(key) else { return nil }
        return try decode(T.self, forKey: ConfigKey(key))
    }
}

/// A string that may be written as a number or a boolean in Lua (`["X-Version"] = 2`).
struct FlexibleString: Decodable {
    var value: String

    init(from decoder: Decoder) throws {
        let single = try decoder.singleValueContainer()
        if let s = try? single.decode(String.self) { value = s; return }
        if let i = try? single.decode(Int.self) { value = String(i); return }
        if let d = try? single.decode(Double.self) { value = String(d); return }
        if let b = try? single.decode(Bool.self) { value = b ? "true" : "false"; return }
        throw DecodingError.typeMismatch(String.self, .init(codingPath: decoder.codingPath, debugDescription: "expected a string"))
    }
}

/// Decodes a config from JSON, turning decoding errors into ``HTTPError/Kind/invalidConfig``
/// errors that name the key path the way the user wrote it (`retry.max_attempts`).
func decodeConfig<T: Decodable>(_ type: T.Type, from json: Data, section: String) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: json)
    } catch let error as HTTPError {
        throw error
    } catch let error as DecodingError {
        throw HTTPError.invalidConfig(section, describe(error))
    } catch {
        throw HTTPError.invalidConfig(section, "\(error)")
    }
}

private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map { "[\($0 + 1)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .typeMismatch(_, let c), .valueNotFound(_, let c):
        return "\(path(c).isEmpty ? "value" : path(c)) has the wrong type"
    case .keyNotFound(let key, let c):
        return "missing \(([path(c)] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))"
    case .dataCorrupted(let c):
        return path(c).isEmpty ? "not a table" : "\(path(c)) is invalid"
    @unknown default:
        return "\(error)"
    }
}
