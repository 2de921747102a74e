import Foundation

/// `type = "auto"` (what `source.http` uses when it names no paginator): picks the paginator from
/// the first response, as dlt's REST source does. A `Link` header with `rel="next"` means
/// `link_header`; a next-page URL in the body (`next`, `next_url`, `links.next.href`...) means
/// `next_url`. A body that says more pages exist in a way that cannot be followed without knowing
/// the API (a cursor, `has_more`, a total beyond the page) is ``Result/undetectable``: reading one
/// page of it would lose the rest without a word. Anything else is one page.
///
/// Pure: it looks at one response and returns what it found; ``PageIterator`` calls it once per walk,
/// on the first response only.
public enum PaginatorDetector {
    /// What the first response showed.
    public enum Result: Equatable, Sendable {
        /// Follow the pages with this paginator; `evidence` says what gave it away.
        case paginator(PaginatorConfig, evidence: String)
        /// Nothing points to another page: the response is all there is.
        case singlePage(reason: String)
        /// The response says more pages exist, but not how to ask for them; `hint` is the setting that would.
        case undetectable(evidence: String, hint: String)
    }

    /// Keys whose value is the next page's URL (compared lowercased, without `_`, `-` and `@`).
    static let nextKeys: Set<String> = ["next", "nextpage", "nexturl", "nextlink", "nextpageurl", "nexthref"]
    /// Keys inside a `next` object that hold the URL.
    static let nextObjectKeys: Set<String> = ["href", "url", "link"]
    /// Keys whose value is a cursor or token for the next page.
    static let cursorKeys: Set<String> = ["cursor", "nextcursor", "nextpagetoken", "pagetoken", "nexttoken", "continuationtoken",
                                          "continuation", "endcursor", "after", "scrollid", "nextpagecursor", "startingafter"]
    /// Keys that say whether another page follows.
    static let moreKeys: Set<String> = ["hasmore", "hasnextpage", "more", "hasnext", "moreavailable"]
    /// Keys holding the total number of records.
    static let totalKeys: Set<String> = ["total", "totalcount", "totalresults", "totalrecords", "totalitems", "totalsize", "count"]
    /// Keys holding the number of pages.
    static let pageCountKeys: Set<String> = ["totalpages", "pagecount", "pages", "lastpage", "numpages"]

    /// How deep into the body keys are looked for (`meta.pagination.next` is depth 3).
    static let maxDepth = 3

    /// The paginator for a walk whose first response came from `url` with `headers` and `body`;
    /// `base` is the `auto` config (its `records_path`, `max_pages`, `stop_on_empty_page` and
    /// `inject` carry over to the paginator chosen).
    public static func detect(url: String, headers: HTTPHeaderFields, body: [UInt8], base: PaginatorConfig) -> Result {
        if LinkHeader.nextURL(in: headers, relativeTo: url) != nil {
            return .paginator(base.withStyle(.linkHeader), evidence: "the response has a Link header with rel=\"next\"")
        }
        guard let first = body.first(where: { !isSpace($0) }) else { return .singlePage(reason: "the response is empty") }
        if first == UInt8(ascii: "[") {
            return .singlePage(reason: "the response is a list without a next link")
        }
        guard first == UInt8(ascii: "{"),
              let json = try? JSONSerialization.jsonObject(with: Data(body)), let object = json as? [String: Any] else {
            return .singlePage(reason: "the response is not a JSON object")
        }
        var found = Found()
        scan(object, path: [], depth: 1, into: &found)
        if case let (path, _)? = found.nextURL {
            var config = base.withStyle(.nextURL)
            config.nextURLPath = path
            return .paginator(config, evidence: "the response holds the next page's URL at \(path)")
        }
        if case let (path, value)? = found.cursor {
            return .undetectable(evidence: "the response holds a cursor at \(path) (\(quoted(value)))",
                                 hint: "paginator = { type = \"cursor\", cursor_path = \"\(path)\", cursor_param = \"<the API's parameter>\" }")
        }
        if case let (path, _)? = found.more {
            return .undetectable(evidence: "the response says more pages follow (\(path) = true)",
                                 hint: "paginator = { type = \"cursor\", ... } or { type = \"offset\", ... } with has_more_path = \"\(path)\"")
        }
        let onPage = recordsOnPage(object, recordsPath: base.recordsPath)
        if case let (path, total)? = found.total, total > onPage {
            return .undetectable(evidence: "the response counts \(total) records at \(path) but holds \(onPage)",
                                 hint: "paginator = { type = \"offset\", total_path = \"\(path)\" } or { type = \"page\", ... }")
        }
        if case let (path, pages)? = found.pageCount, pages > 1 {
            return .undetectable(evidence: "the response counts \(pages) pages at \(path)",
                                 hint: "paginator = { type = \"page\", total_pages_path = \"\(path)\" }")
        }
        return .singlePage(reason: "the response names no next page, cursor or total beyond its records")
    }

    /// The first match of each kind, breadth before depth (the shallowest key wins).
    private struct Found {
        var nextURL: (String, String)?
        var cursor: (String, String)?
        var more: (String, Bool)?
        var total: (String, Int)?
        var pageCount: (String, Int)?
    }

    private static func scan(_ object: [String: Any], path: [String], depth: Int, into found: inout Found) {
        var nested: [(String, [String: Any])] = []
        for key in object.keys.sorted() where !key.contains(".") {  // a dot path cannot name it
            let value = object[key]!
            let name = normalized(key)
            let at = (path + [key]).joined(separator: ".")
            if nextKeys.contains(name) {
                if let url = JSONPath.string(value), looksLikeURL(url) {
                    found.nextURL = found.nextURL ?? (at, url)
                } else if let inner = value as? [String: Any],
                          let link = inner.sorted(by: { $0.key < $1.key }).lazy.compactMap({ pair -> (String, String)? in
                              nextObjectKeys.contains(normalized(pair.key)) ? JSONPath.string(pair.value).map { (pair.key, $0) } : nil
                          }).first,
                          looksLikeURL(link.1) {
                    found.nextURL = found.nextURL ?? (at + "." + link.0, link.1)
                } else if let token = value as? String, !token.isEmpty {
                    found.cursor = found.cursor ?? (at, token)  // `next: "abc"` is a token, not a URL
                }
                continue
            }
            if cursorKeys.contains(name), let token = value as? String, !token.isEmpty {
                found.cursor = found.cursor ?? (at, token)
            } else if moreKeys.contains(name), JSONPath.bool(value) == true, JSONPath.int(value) == nil, !(value is String) {
                found.more = found.more ?? (at, true)
            } else if totalKeys.contains(name), let n = integer(value) {
                found.total = found.total ?? (at, n)
            } else if pageCountKeys.contains(name), let n = integer(value) {
                found.pageCount = found.pageCount ?? (at, n)
            } else if let inner = value as? [String: Any], depth < maxDepth {
                nested.append((key, inner))
            }
        }
        for (key, inner) in nested { scan(inner, path: path + [key], depth: depth + 1, into: &found) }
    }

    /// The records the first page holds: at `records_path`, else the first list at the top level.
    static func recordsOnPage(_ object: [String: Any], recordsPath: String?) -> Int {
        if let recordsPath, !recordsPath.isEmpty { return JSONPath.recordCount(at: recordsPath, in: object) }
        return object.keys.sorted().lazy.compactMap { object[$0] as? [Any] }.first?.count ?? 0
    }

    private static func normalized(_ key: String) -> String {
        String(key.lowercased().filter { $0 != "_" && $0 != "-" && $0 != "@" })
    }

    private static func looksLikeURL(_ text: String) -> Bool {
        text.hasPrefix("http://") || text.hasPrefix("https://") || text.hasPrefix("/") || text.hasPrefix("?")
    }

    /// A JSON number that is a whole count (not a boolean, not text).
    private static func integer(_ value: Any) -> Int? {
        value is String ? nil : JSONPath.int(value)
    }

    private static func quoted(_ text: String) -> String {
        return "\"" + (text.count > 40 ? text.prefix(40) + "…" : Substring(text)) + "\""
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}

extension PaginatorConfig {
    /// This config with another style, keeping the settings every style shares.
    func withStyle(_ style: Style) -> PaginatorConfig {
        var config = PaginatorConfig(style: style)
        config.recordsPath = recordsPath
        config.maxPages = maxPages
        config.stopOnEmptyPage = stopOnEmptyPage
        config.inject = inject
        return config
    }
}
