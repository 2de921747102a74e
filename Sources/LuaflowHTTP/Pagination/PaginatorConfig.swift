import Foundation

/// How to walk through pages, as written in Lua (`http.paginate{...}`, `source.http{ paginator = ... }`):
///
///     { type = "cursor", cursor_param = "cursor", cursor_path = "meta.next_cursor", limit_param = "limit", limit = 100 }
///     { type = "offset", offset_param = "offset", limit_param = "limit", limit = 100, total_path = "total" }
///     { type = "page", page_param = "page", start_page = 1, page_size_param = "per_page", page_size = 50,
///       total_pages_path = "meta.pages" }
///     { type = "next_url", next_url_path = "links.next" }
///     { type = "link_header" }
///     { type = "none" }
///     { type = "auto" }     -- source.http's default: chosen from the first response (PaginatorDetector)
///
/// Every type also takes `records_path` (where the records are; empty = the body is the array),
/// `max_pages` and `stop_on_empty_page` (default true). Keys of another type are errors (the
/// `paginator` schema of ``HTTPSchemas`` checks them).
public struct PaginatorConfig: Decodable, Sendable, Equatable {
    public enum Style: String, Sendable, Equatable, CaseIterable {
        case cursor, offset, page
        case nextURL = "next_url"
        case linkHeader = "link_header"
        case none
        /// Chosen from the first response by ``PaginatorDetector`` (``PageIterator`` replaces it).
        case auto
    }

    public var style: Style
    public var cursorParam = "cursor"
    public var cursorPath: String?
    public var hasMorePath: String?
    /// Cursor and offset styles: the page size parameter (offset defaults to `limit`).
    public var limitParam: String?
    public var limit: Int?
    public var offsetParam = "offset"
    public var startOffset = 0
    /// Offset style: total number of records in the body.
    public var totalPath: String?
    public var pageParam = "page"
    public var startPage = 1
    public var pageSizeParam: String?
    public var pageSize: Int?
    public var totalPagesPath: String?
    public var nextURLPath: String?
    /// Stop (without error) after this many pages.
    public var maxPages: Int?
    /// Dot path of the record array in the body; nil or empty: the body itself.
    public var recordsPath: String?
    public var stopOnEmptyPage = true
    /// Where the cursor, offset or page number goes (the other parameters stay in the query).
    public var inject = PageInjection.query

    public init(style: Style) {
        self.style = style
    }

    public init(from decoder: Decoder) throws {
        let section = "paginator"
        let c = try decoder.configContainer()
        let typeName = try c.string("type", section) ?? ""
        guard let style = Style(rawValue: typeName) else {
            let known = Style.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw HTTPError.invalidConfig(section, typeName.isEmpty ? "type is required (\(known))" : "unknown type \"\(typeName)\" (known: \(known))")
        }
        self.init(style: style)
        cursorParam = try c.string("cursor_param", section) ?? cursorParam
        cursorPath = try c.string("cursor_path", section)
        hasMorePath = try c.string("has_more_path", section)
        limitParam = try c.string("limit_param", section)
        limit = try c.int("limit", section)
        offsetParam = try c.string("offset_param", section) ?? offsetParam
        startOffset = try c.int("start_offset", section) ?? startOffset
        totalPath = try c.string("total_path", section)
        pageParam = try c.string("page_param", section) ?? pageParam
        startPage = try c.int("start_page", section) ?? startPage
        pageSizeParam = try c.string("page_size_param", section)
        pageSize = try c.int("page_size", section)
        totalPagesPath = try c.string("total_pages_path", section)
        nextURLPath = try c.string("next_url_path", section)
        maxPages = try c.int("max_pages", section)
        recordsPath = try c.string("records_path", section)
        stopOnEmptyPage = try c.bool("stop_on_empty_page", section) ?? true
        if let text = try c.string("inject", section) {
            guard let inject = PageInjection(text) else {
                throw HTTPError.invalidConfig(section, "inject must be query, header:NAME, json:PATH or path:NAME, not '\(text)'")
            }
            self.inject = inject
        }
        try validate()
    }

    /// Decodes the JSON form of a Lua table; problems become ``HTTPError/Kind/invalidConfig``.
    public static func decode(json: Data) throws -> PaginatorConfig {
        try decodeConfig(PaginatorConfig.self, from: json, section: "paginator")
    }

    public func validate() throws {
        func fail(_ message: String) -> HTTPError { HTTPError.invalidConfig("paginator", message) }
        if let maxPages, maxPages < 1 { throw fail("max_pages must be at least 1") }
        if let limit, limit < 1 { throw fail("limit must be at least 1") }
        if let pageSize, pageSize < 1 { throw fail("page_size must be at least 1") }
        if startOffset < 0 { throw fail("start_offset must not be negative") }
        switch style {
        case .cursor:
            guard let cursorPath, !cursorPath.isEmpty else { throw fail("type \"cursor\" needs cursor_path (where the body holds the next cursor)") }
            if cursorParam.isEmpty { throw fail("cursor_param must not be empty") }
        case .nextURL:
            guard let nextURLPath, !nextURLPath.isEmpty else { throw fail("type \"next_url\" needs next_url_path (where the body holds the next URL)") }
        case .page:
            if pageParam.isEmpty { throw fail("page_param must not be empty") }
            if pageSizeParam != nil && pageSize == nil { throw fail("page_size_param needs page_size") }
        case .offset:
            if offsetParam.isEmpty { throw fail("offset_param must not be empty") }
        case .linkHeader, .none, .auto:
            break
        }
    }

    /// The state machine for this style, at its first page.
    public func makeStateMachine() -> any PaginationStateMachine {
        switch style {
        case .cursor:
            let limitPair = limit.map { (param: limitParam ?? "limit", value: $0) }
            return CursorPaginator(cursorParam: cursorParam, cursorPath: cursorPath ?? "", limit: limitPair,
                                   hasMorePath: hasMorePath, stopOnEmptyPage: stopOnEmptyPage)
        case .offset:
            return OffsetPaginator(offsetParam: offsetParam, limitParam: limitParam ?? "limit", limit: limit ?? 100,
                                   totalPath: totalPath, startOffset: startOffset)
        case .page:
            return PageNumberPaginator(pageParam: pageParam, startPage: startPage,
                                       pageSize: pageSize.map { (param: pageSizeParam, value: $0) }, totalPagesPath: totalPagesPath)
        case .nextURL:
            return NextURLPaginator(nextURLPath: nextURLPath ?? "", stopOnEmptyPage: stopOnEmptyPage)
        case .linkHeader:
            return LinkHeaderPaginator(stopOnEmptyPage: stopOnEmptyPage)
        case .none, .auto:
            return SinglePagePaginator()  // auto: until the first response says which paginator
        }
    }

    /// The query parameter that carries the moving value (cursor, offset, page), which ``inject``
    /// moves elsewhere; whether it is a number.
    var movingParameter: (name: String, isNumber: Bool)? {
        switch style {
        case .cursor: return (cursorParam, false)
        case .offset: return (offsetParam, true)
        case .page: return (pageParam, true)
        case .nextURL, .linkHeader, .none, .auto: return nil
        }
    }

    /// How many records `body` holds under ``recordsPath``.
    public func extractRecordCount(from body: Any) -> Int {
        JSONPath.recordCount(at: recordsPath ?? "", in: body)
    }
}
