/// The body names the next page's URL (`next_url_path`, e.g. `links.next`); relative URLs are
/// resolved against the page's URL. Stops when it is missing, null or empty, or on an empty page
/// (unless `stop_on_empty_page = false`).
public struct NextURLPaginator: PaginationStateMachine {
    public let nextURLPath: String
    public let stopOnEmptyPage: Bool
    private var seen = RecentValues()
    private var pages = 0

    public init(nextURLPath: String, stopOnEmptyPage: Bool = true) {
        self.nextURLPath = nextURLPath
        self.stopOnEmptyPage = stopOnEmptyPage
    }

    public var bodyPaths: [String] { [nextURLPath] }
    public var needsRecordCount: Bool { stopOnEmptyPage }
    public var firstPage: PageTarget { .parameters([]) }

    public mutating func next(after page: PageSnapshot) throws -> PageTarget? {
        pages += 1
        if pages == 1 { seen.insert(page.url, page: 1) }
        if stopOnEmptyPage, page.recordCount == 0 { return nil }
        guard let reference = JSONPath.string(page.value(at: nextURLPath)),
              let next = URLBuilder.resolveReference(reference, against: page.url) else { return nil }
        if let first = seen.page(of: next) {
            throw HTTPError.paginationLoop("next URL \(URLRedactor.redact(next)) at \(nextURLPath) on page \(pages) was already fetched as page \(first)")
        }
        seen.insert(next, page: pages + 1)
        return .url(next)
    }
}
