import Foundation

extension PageTarget {
    /// The target as text a state store can keep, to resume pagination in a later run:
    /// `{"params":[["cursor","abc"]]}` or `{"url":"https://..."}`.
    public var token: String {
        switch self {
        case .parameters(let items):
            return #"{"params":["# + items.map { "[\(Self.quoted($0.0)),\(Self.quoted($0.1))]" }.joined(separator: ",") + "]}"
        case .url(let url):
            return #"{"url":"# + Self.quoted(url) + "}"
        }
    }

    /// `text` as a JSON string, escaped as JSONSerialization does (`/` too).
    private static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/": out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The target a ``token`` describes, or nil when it is not one.
    public init?(token: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(token.utf8)) as? [String: Any] else { return nil }
        if let url = object["url"] as? String {
            self = .url(url)
        } else if let params = object["params"] as? [[String]], params.allSatisfy({ $0.count == 2 }) {
            self = .parameters(params.map { ($0[0], $0[1]) })
        } else {
            return nil
        }
    }

    /// The target without the query parameters called any of `names`.
    func removing(parameters names: Set<String>) -> PageTarget {
        guard !names.isEmpty else { return self }
        switch self {
        case .parameters(let items): return .parameters(items.filter { !names.contains($0.0) })
        case .url(let url): return .url(URLBuilder.removing(parameters: names, from: url))
        }
    }

    /// The value of parameter `name`, for a parameter target.
    func parameter(_ name: String) -> String? {
        guard case .parameters(let items) = self else { return nil }
        return items.last { $0.0 == name }?.1
    }
}
