import Foundation

/// Parser for the `Link` header field (RFC 8288 §3):
///
///     Link: <https://api.github.com/repos?page=3>; rel="next", <https://api.github.com/repos?page=50>; rel="last"
///
/// Handles several links per field and several fields, commas and semicolons inside `<...>`,
/// quoted parameter values with backslash escapes, unquoted values, and `rel` lists
/// (`rel="next last"`). Relation names compare case-insensitively.
public enum LinkHeader {
    public struct Link: Sendable, Equatable {
        /// The URI reference between `<` and `>`, not yet resolved.
        public var target: String
        /// Lowercased relation types from `rel`.
        public var relations: [String]
        /// Every parameter by lowercased name (the first occurrence wins, as RFC 8288 requires for `rel`).
        public var parameters: [String: String]
    }

    /// Every link in `fields` (the values of all `Link` header fields), in order.
    public static func parse(_ fields: [String]) -> [Link] {
        fields.flatMap { parse(field: Array($0.unicodeScalars)) }
    }

    /// The absolute URL of the first link with relation `next`, resolved against `url`.
    public static func nextURL(in headers: HTTPHeaderFields, relativeTo url: String) -> String? {
        parse(headers.values(for: "Link")).first { $0.relations.contains("next") }
            .flatMap { URLBuilder.resolveReference($0.target, against: url) }
    }

    private static func parse(field s: [Unicode.Scalar]) -> [Link] {
        var links: [Link] = []
        var i = 0
        func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\t" { i += 1 } }
        // Every branch below moves `i` forward, so the loop ends after at most s.count rounds.
        while i < s.count {
            skipSpace()
            guard i < s.count else { break }
            if s[i] == "," { i += 1; continue }
            guard s[i] == "<" else { skipToNextLink(s, &i); continue }
            i += 1
            let start = i
            while i < s.count, s[i] != ">" { i += 1 }
            guard i < s.count else { break }  // unterminated target: ignore it
            let target = String(String.UnicodeScalarView(s[start..<i])).trimmingCharacters(in: .whitespaces)
            i += 1
            var parameters: [String: String] = [:]
            while i < s.count {
                skipSpace()
                guard i < s.count, s[i] == ";" else { break }
                i += 1
                skipSpace()
                let nameStart = i
                while i < s.count, !"=;, \t".unicodeScalars.contains(s[i]) { i += 1 }
                let name = String(String.UnicodeScalarView(s[nameStart..<i])).lowercased()
                skipSpace()
                var value = ""
                if i < s.count, s[i] == "=" {
                    i += 1
                    skipSpace()
                    value = i < s.count && s[i] == "\"" ? quoted(s, &i) : token(s, &i)
                }
                if !name.isEmpty, parameters[name] == nil { parameters[name] = value }
            }
            skipToNextLink(s, &i)
            let relations = (parameters["rel"] ?? "").lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            links.append(Link(target: target, relations: relations, parameters: parameters))
        }
        return links
    }

    /// Reads `"..."` starting at the opening quote; `\x` stands for `x`.
    private static func quoted(_ s: [Unicode.Scalar], _ i: inout Int) -> String {
        var value = String.UnicodeScalarView()
        i += 1
        while i < s.count, s[i] != "\"" {
            if s[i] == "\\", i + 1 < s.count { i += 1 }
            value.append(s[i])
            i += 1
        }
        if i < s.count { i += 1 }
        return String(value)
    }

    private static func token(_ s: [Unicode.Scalar], _ i: inout Int) -> String {
        let start = i
        while i < s.count, !";, \t".unicodeScalars.contains(s[i]) { i += 1 }
        return String(String.UnicodeScalarView(s[start..<i]))
    }

    /// Moves past the next comma outside quotes (or to the end).
    private static func skipToNextLink(_ s: [Unicode.Scalar], _ i: inout Int) {
        var inQuotes = false
        while i < s.count {
            if s[i] == "\"" { inQuotes.toggle() } else if s[i] == "\\" && inQuotes { i += 1 } else if s[i] == "," && !inQuotes { i += 1; return }
            i += 1
        }
    }
}
