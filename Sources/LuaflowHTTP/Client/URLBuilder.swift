import Foundation

/// Pure URL helpers: joining `base_url` and a path the way users expect
/// (`https://api.x.com/v1` + `/users` = `https://api.x.com/v1/users`), appending and replacing
/// query parameters with strict percent-encoding, and comparing origins.
public enum URLBuilder {
    /// RFC 3986 unreserved characters: the only ones left unencoded in names and values.
    static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a query name or value (space becomes `%20`).
    public static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The most a value put into one path segment may hold, in bytes (before encoding).
    public static let maxPathSegmentBytes = 2048

    /// `text` as exactly one path segment, or nil when it is longer than ``maxPathSegmentBytes``:
    /// every byte but the RFC 3986 unreserved characters is percent-encoded (UTF-8), so `/`, `?`,
    /// `#`, `%`, spaces, CR, LF and NUL cannot reshape the URL, and a value of `.` or `..` becomes
    /// `%2E` or `%2E%2E`, which no server resolves as a dot segment. The one encoding of values
    /// placed into paths: `{parent.field}` and `{partition}` of `source.http`
    /// (`http.path_segment`) and `inject = "path:NAME"`.
    public static func encodePathSegment(_ text: String) -> String? {
        guard text.utf8.count <= maxPathSegmentBytes else { return nil }
        if text == "." || text == ".." { return String(repeating: "%2E", count: text.count) }
        return encode(text)
    }

    /// `name=value&...` with every name and value percent-encoded.
    public static func encodeQuery(_ items: [(String, String)]) -> String {
        items.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// Whether `url` starts with a scheme (`https://...`).
    public static func isAbsolute(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return false }
        let scheme = url[..<colon]
        guard let first = scheme.first, first.isLetter else { return false }
        return scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }

    /// `path` as an absolute URL: unchanged when already absolute, else appended to `base` with
    /// exactly one `/` between them. Throws ``HTTPError/Kind/invalidConfig`` for a relative path
    /// without a base or a URL that is not http(s).
    public static func resolve(_ path: String, base: String?) throws -> String {
        let url: String
        if isAbsolute(path) {
            url = path
        } else if let base, !base.isEmpty {
            if path.isEmpty {
                url = base
            } else if path.hasPrefix("?") {
                url = base + path
            } else {
                let left = base.hasSuffix("/") ? String(base.dropLast()) : base
                url = left + (path.hasPrefix("/") ? path : "/" + path)
            }
        } else {
            throw HTTPError.invalidConfig("http", "'\(path)' is a relative URL and the session has no base_url")
        }
        guard let origin = Origin(url: url), origin.scheme == "http" || origin.scheme == "https" else {
            throw HTTPError.invalidConfig("http", "'\(URLRedactor.redact(url))' is not an http(s) URL")
        }
        return url
    }

    /// `url` with `items` appended to its query string (the fragment is dropped).
    public static func appending(_ items: [(String, String)], to url: String) -> String {
        let base = withoutFragment(url)
        guard !items.isEmpty else { return base }
        let separator = !base.contains("?") ? "?" : (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&")
        return base + separator + encodeQuery(items)
    }

    /// `url` without the query parameters called any of `names` (compared after decoding).
    public static func removing(parameters names: Set<String>, from url: String) -> String {
        let base = withoutFragment(url)
        guard !names.isEmpty, let mark = base.firstIndex(of: "?") else { return base }
        let kept = base[base.index(after: mark)...].split(separator: "&").filter { item in
            let name = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return !names.contains(String(name).removingPercentEncoding ?? String(name))
        }
        return String(base[..<mark]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&"))
    }

    /// The decoded value of the first query parameter called `name`.
    public static func queryValue(_ name: String, in url: String) -> String? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        for item in withoutFragment(url)[url.index(after: mark)...].split(separator: "&") {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            if key == name {
                let value = parts.count > 1 ? String(parts[1]) : ""
                return value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
            }
        }
        return nil
    }

    /// Resolves a reference found in a response (a `Location`, a `next` link) against the URL of
    /// the request that produced it.
    public static func resolveReference(_ reference: String, against url: String) -> String? {
        let trimmed = reference.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if isAbsolute(trimmed) { return trimmed }
        guard let base = URL(string: url), let resolved = URL(string: trimmed, relativeTo: base) else { return nil }
        return resolved.absoluteString
    }

    static func withoutFragment(_ url: String) -> String {
        url.firstIndex(of: "#").map { String(url[..<$0]) } ?? url
    }
}
