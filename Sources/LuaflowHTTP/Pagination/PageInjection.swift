import Foundation

/// Where a paginator puts the value that moves from page to page (the cursor, offset or page
/// number), as `inject` names it: the query (the default), a header field, a field of the JSON
/// body (GraphQL's `variables.after`), or a `{name}` placeholder of the path.
///
///     "query"  "header:X-Cursor"  "json:variables.after"  "path:cursor"
public enum PageInjection: Sendable, Equatable {
    case query
    case header(String)
    case json([String])
    case path(String)

    /// Parses an `inject` setting; nil for one of no known form.
    public init?(_ text: String) {
        let (kind, rest) = text.firstIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) } ?? (text, "")
        switch kind {
        case "query" where rest.isEmpty: self = .query
        case "header" where !rest.isEmpty: self = .header(rest)
        case "json" where !rest.isEmpty && !rest.split(separator: ".", omittingEmptySubsequences: false).contains(""):
            self = .json(rest.split(separator: ".").map(String.init))
        case "path" where !rest.isEmpty: self = .path(rest)
        default: return nil
        }
    }

    /// `request` with `value` placed here, for the places other than the query (``PageIterator``
    /// sets query parameters itself). Nil: the first page, which has no value: a JSON field or
    /// header is left out, a path placeholder becomes empty. `number`: the value is an offset or
    /// page number, written as a JSON number.
    func apply(_ value: String?, number: Bool, to request: HTTPRequest) -> HTTPRequest {
        var next = request
        switch self {
        case .query:
            break
        case .header(let name):
            if let value { next.setHeader(name, value) }
        case .json(let path):
            guard let value else { return next }
            var root = (request.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0)) } as? [String: Any]) ?? [:]
            let leaf: Any = number ? (Int(value).map { $0 as Any } ?? value) : value
            root = Self.setting(leaf, at: path[...], in: root)
            if let data = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) { next.setJSONBody(Array(data)) }
        case .path(let name):
            next.url = request.url.replacingOccurrences(of: "{\(name)}", with: value.map { URLBuilder.encodePathSegment($0) ?? "" } ?? "")
        }
        return next
    }

    private static func setting(_ value: Any, at path: ArraySlice<String>, in object: [String: Any]) -> [String: Any] {
        guard let key = path.first else { return object }
        var object = object
        if path.count == 1 {
            object[key] = value
        } else {
            object[key] = setting(value, at: path.dropFirst(), in: object[key] as? [String: Any] ?? [:])
        }
        return object
    }
}
