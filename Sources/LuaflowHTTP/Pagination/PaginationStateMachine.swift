/// One pagination style as a pure state machine: it names the first page, then reads each page
/// received and names the next one, or nil when the data is exhausted. No I/O, no clock, so every
/// style is tested with hand-written pages.
///
/// Every style throws ``HTTPError`` of kind ``HTTPError/Kind/paginationLoop`` when the server
/// sends it back to a cursor or URL it already fetched (or, for offset and page numbers, returns
/// the same page again): following it would fetch the same records forever.
public protocol PaginationStateMachine: Sendable {
    /// The query parameters of the first request (`.parameters([])` when there are none).
    var firstPage: PageTarget { get }
    /// Dot paths into the body whose values ``next(after:)`` reads (see ``PageSnapshot/values``).
    var bodyPaths: [String] { get }
    /// Whether ``next(after:)`` needs the page's record count.
    var needsRecordCount: Bool { get }
    /// Whether ``next(after:)`` compares pages by ``PageSnapshot/bodyDigest`` (a hash of the body).
    var comparesBodies: Bool { get }
    /// The next page after `page`, or nil when done.
    mutating func next(after page: PageSnapshot) throws -> PageTarget?
    /// Continues from `target` (a page a checkpoint recorded) instead of the first page.
    mutating func resume(at target: PageTarget)
    /// The targets of up to `count` pages after the one ``next(after:)`` named last, when they
    /// are known before that page arrives (offset and page numbers, once a body gave the total):
    /// what a walk with `concurrency` fetches ahead. They assume full pages; a shorter page moves
    /// the next target elsewhere, and the walk drops the guesses.
    func upcoming(_ count: Int) -> [PageTarget]
}

extension PaginationStateMachine {
    /// Styles whose next page depends only on the page just received need nothing restored.
    public mutating func resume(at target: PageTarget) {}

    /// Styles whose next page depends on the page before cannot look ahead.
    public func upcoming(_ count: Int) -> [PageTarget] { [] }

    /// Only styles that cannot tell pages apart otherwise (offset, page numbers) hash bodies.
    public var comparesBodies: Bool { false }
}

/// The most recent values seen (at most `capacity`), for loop detection in bounded memory: a
/// loop that comes back within the last 10,000 pages is caught.
struct RecentValues: Sendable, Equatable {
    private var order: [String] = []
    private var pages: [String: Int] = [:]
    var capacity = 10_000

    /// The page number on which `value` was seen, if it is remembered.
    func page(of value: String) -> Int? { pages[value] }

    mutating func insert(_ value: String, page: Int) {
        guard pages[value] == nil else { return }
        pages[value] = page
        order.append(value)
        if order.count > capacity { pages[order.removeFirst()] = nil }
    }
}

extension HTTPError {
    static func paginationLoop(_ detail: String) -> HTTPError {
        HTTPError(.paginationLoop, detail: "pagination loop: \(detail)")
    }
}
