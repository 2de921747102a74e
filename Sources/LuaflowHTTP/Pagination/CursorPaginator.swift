/// Cursor pagination: the body names the next cursor (`cursor_path`), sent back in `cursor_param`.
/// Stops when the cursor is missing, null or empty, when `has_more_path` is false, or on an empty
/// page (unless `stop_on_empty_page = false`).
public struct CursorPaginator: PaginationStateMachine {
    public let cursorParam: String
    public let cursorPath: String
    public let limit: (param: String, value: Int)?
    public let hasMorePath: String?
    public let stopOnEmptyPage: Bool
    private var seen = RecentValues()
    private var pages = 0

    public init(cursorParam: String, cursorPath: String, limit: (param: String, value: Int)? = nil, hasMorePath: String? = nil,
                stopOnEmptyPage: Bool = true) {
        self.cursorParam = cursorParam
        self.cursorPath = cursorPath
        self.limit = limit
        self.hasMorePath = hasMorePath
        self.stopOnEmptyPage = stopOnEmptyPage
    }

    public var bodyPaths: [String] { [cursorPath] + (hasMorePath.map { [$0] } ?? []) }
    public var needsRecordCount: Bool { stopOnEmptyPage }

    public var firstPage: PageTarget {
        .parameters(limit.map { [($0.param, String($0.value))] } ?? [])
    }

    public mutating func next(after page: PageSnapshot) throws -> PageTarget? {
        pages += 1
        let hasMore = hasMorePath.flatMap { JSONPath.bool(page.value(at: $0)) }
        if hasMore == false { return nil }
        if stopOnEmptyPage, hasMore != true, page.recordCount == 0 { return nil }
        guard let cursor = JSONPath.string(page.value(at: cursorPath)), !cursor.isEmpty else { return nil }
        if let first = seen.page(of: cursor) {
            throw HTTPError.paginationLoop("cursor '\(cursor)' at \(cursorPath) on page \(pages) was already returned on page \(first)")
        }
        seen.insert(cursor, page: pages)
        var parameters = limit.map { [($0.param, String($0.value))] } ?? []
        parameters.append((cursorParam, cursor))
        return .parameters(parameters)
    }
}
