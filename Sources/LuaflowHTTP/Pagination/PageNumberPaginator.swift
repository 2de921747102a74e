/// Page-number pagination: `page_param` counts up from `start_page`. Stops on an empty page, after
/// the page count at `total_pages_path`, or on a page shorter than `page_size` when it is known.
public struct PageNumberPaginator: PaginationStateMachine {
    public let pageParam: String
    public let startPage: Int
    public let pageSize: (param: String?, value: Int)?
    public let totalPagesPath: String?
    public private(set) var page: Int
    /// The page count at `total_pages_path`, once a page gave it.
    public private(set) var totalPages: Int?
    private var previousDigest: Int?

    public init(pageParam: String = "page", startPage: Int = 1, pageSize: (param: String?, value: Int)? = nil, totalPagesPath: String? = nil) {
        self.pageParam = pageParam
        self.startPage = startPage
        self.pageSize = pageSize
        self.totalPagesPath = totalPagesPath
        self.page = startPage
    }

    public var bodyPaths: [String] { totalPagesPath.map { [$0] } ?? [] }
    public var needsRecordCount: Bool { true }
    public var comparesBodies: Bool { true }

    public var firstPage: PageTarget { .parameters(parameters) }

    private var parameters: [(String, String)] { parameters(at: page) }

    private func parameters(at page: Int) -> [(String, String)] {
        var items = [(pageParam, String(page))]
        if let pageSize, let param = pageSize.param { items.append((param, String(pageSize.value))) }
        return items
    }

    public mutating func resume(at target: PageTarget) {
        if let value = target.parameter(pageParam).flatMap(Int.init) { page = value }
    }

    public func upcoming(_ count: Int) -> [PageTarget] {
        guard let totalPages, count > 0 else { return [] }
        return (1...count).map { page + $0 }.filter { $0 - startPage + 1 <= totalPages }.map { .parameters(parameters(at: $0)) }
    }

    public mutating func next(after snapshot: PageSnapshot) throws -> PageTarget? {
        let count = snapshot.recordCount ?? 0
        guard count > 0 else { return nil }
        let fetched = page - startPage + 1
        if let digest = snapshot.bodyDigest {
            if digest == previousDigest {
                throw HTTPError.paginationLoop("page \(pageParam)=\(page) is identical to the page before; the API seems to ignore '\(pageParam)'")
            }
            previousDigest = digest
        }
        if let totalPagesPath, let total = JSONPath.int(snapshot.value(at: totalPagesPath)) {
            totalPages = total
            if fetched >= total { return nil }
        } else if let pageSize, count < pageSize.value {
            return nil
        }
        page += 1
        return .parameters(parameters)
    }
}
