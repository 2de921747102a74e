/// Offset/limit pagination: `offset_param` advances by the records received. Stops on an empty
/// page, when the offset reaches the total at `total_path`, or, without a total, on a page shorter
/// than `limit` (so `limit` must not exceed the API's maximum page size).
public struct OffsetPaginator: PaginationStateMachine {
    public let offsetParam: String
    public let limitParam: String
    public let limit: Int
    public let totalPath: String?
    public private(set) var offset: Int
    /// The total at `total_path`, once a page gave it.
    public private(set) var total: Int?
    private var previousDigest: Int?
    private var pages = 0

    public init(offsetParam: String = "offset", limitParam: String = "limit", limit: Int, totalPath: String? = nil, startOffset: Int = 0) {
        self.offsetParam = offsetParam
        self.limitParam = limitParam
        self.limit = limit
        self.totalPath = totalPath
        self.offset = startOffset
    }

    public var bodyPaths: [String] { totalPath.map { [$0] } ?? [] }
    public var needsRecordCount: Bool { true }
    public var comparesBodies: Bool { true }

    public var firstPage: PageTarget { .parameters(parameters) }

    private var parameters: [(String, String)] { parameters(at: offset) }

    private func parameters(at offset: Int) -> [(String, String)] {
        [(offsetParam, String(offset)), (limitParam, String(limit))]
    }

    public func upcoming(_ count: Int) -> [PageTarget] {
        guard let total, count > 0 else { return [] }
        return (1...count).map { offset + limit * $0 }.filter { $0 < total }.map { .parameters(parameters(at: $0)) }
    }

    public mutating func resume(at target: PageTarget) {
        if let value = target.parameter(offsetParam).flatMap(Int.init) { offset = value }
    }

    public mutating func next(after page: PageSnapshot) throws -> PageTarget? {
        pages += 1
        let count = page.recordCount ?? 0
        guard count > 0 else { return nil }
        if let digest = page.bodyDigest {
            if digest == previousDigest {
                throw HTTPError.paginationLoop("page \(pages) (\(offsetParam)=\(offset)) is identical to page \(pages - 1); the API seems to ignore '\(offsetParam)'")
            }
            previousDigest = digest
        }
        offset += count
        if let totalPath, let total = JSONPath.int(page.value(at: totalPath)) {
            self.total = total
            if offset >= total { return nil }
        } else if count < limit {
            return nil
        }
        return .parameters(parameters)
    }
}
