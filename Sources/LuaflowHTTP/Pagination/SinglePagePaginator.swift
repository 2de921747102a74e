/// `type = "none"`: one request, no pagination.
public struct SinglePagePaginator: PaginationStateMachine {
    public init() {}
    public var bodyPaths: [String] { [] }
    public var needsRecordCount: Bool { false }
    public var firstPage: PageTarget { .parameters([]) }
    public mutating func next(after page: PageSnapshot) throws -> PageTarget? { nil }
}
