/// Where the next page is: query parameters to set on the original request (replacing any of the
/// same name), or a complete URL given by the server (`next_url`, `Link`).
public enum PageTarget: Sendable, Equatable, CustomStringConvertible {
    case parameters([(String, String)])
    case url(String)

    public static func == (lhs: PageTarget, rhs: PageTarget) -> Bool {
        switch (lhs, rhs) {
        case (.parameters(let a), .parameters(let b)): return a.elementsEqual(b) { $0 == $1 }
        case (.url(let a), .url(let b)): return a == b
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .parameters(let items): return items.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        case .url(let url): return url
        }
    }
}
