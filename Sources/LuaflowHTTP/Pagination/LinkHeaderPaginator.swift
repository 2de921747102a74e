/// RFC 8288 `Link` header pagination (GitHub, GitLab...): follows the link with `rel="next"`.
/// Stops when there is none, or on an empty page when the record count is known (a
/// `records_path` is set; without one the body is not read at all, so it need not be JSON).
public struct LinkHeaderPaginator: PaginationStateMachine {
    public let stopOnEmptyPage: Bool
    private var seen = RecentValues()
    private var pages = 0

    public init(stopOnEmptyPage: Bool = true) {
        self.stopOnEmptyPage = stopOnEmptyPage
    }

    public var bodyPaths: [String] { [] }
    public var needsRecordCount: Bool { false }
    public var firstPage: PageTarget { .parameters([]) }

    public mutating func next(after page: PageSnapshot) throws -> PageTarget? {
        pages += 1
        if pages == 1 { seen.insert(page.url, page: 1) }
        if stopOnEmptyPage, page.recordCount == 0 { return nil }
        guard let next = LinkHeader.nextURL(in: page.headers, relativeTo: page.url) else { return nil }
        if let first = seen.page(of: next) {
            throw HTTPError.paginationLoop("Link rel=\"next\" \(URLRedactor.redact(next)) on page \(pages) was already fetched as page \(first)")
        }
        seen.insert(next, page: pages + 1)
        return .url(next)
    }
}
