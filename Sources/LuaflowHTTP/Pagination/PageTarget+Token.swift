import Foundation

extension PageTarget {
    /// The target as text a state store can keep, to resume pagination in a later run:
    /// `{"params":[["cursor","abc"]]}` or `{"url":"https://..."}`.
    public var token: String {
        let object: [String: Any]
        switch self {
        case .parameters(let items): object = ["params": items.map { [$0.0, $0.1] }]
        case .url(let url): object = ["url": url]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
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
