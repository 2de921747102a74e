import Foundation
import LuaflowCore
import LuaflowTesting

/// A cursor-paginated feed (`GET path?cursor=p<k>` → `{"data": [...], "next": "p<k+1>" | null, "pages": n}`)
/// whose pages fail as a test scripts them; `?page=<k>` (0-based) and the page count `pages` serve
/// page-number pagination too. Records are ``TestDataset`` ids 1...total; with
/// `since=N` only ids above N, paged the same way (for incremental sources).
///
///     let feed = server.installFaultFeed(path: "/feed", total: 200, perPage: 20)
///     feed.inject(.status(503), page: 3, .always)
///     ... run, expect a failure ...
///     feed.heal()
public final class FaultFeed: Sendable {
    public let path: String
    public let total: Int
    public let perPage: Int
    private let faults = Locked<[Int: (Fault, FaultDuration)]>([:])

    init(path: String, total: Int, perPage: Int) {
        self.path = path
        self.total = total
        self.perPage = perPage
    }

    /// Page `page` (0 = the first) fails with `fault` for `duration`.
    public func inject(_ fault: Fault, page: Int, _ duration: FaultDuration) {
        faults.withLock { $0[page] = (fault, duration) }
    }

    /// Every fault is gone.
    public func heal() {
        faults.withLock { $0.removeAll() }
    }

    /// The fault the next request for `page` gets, if any (a `times` fault is used up by it).
    func take(page: Int) -> Fault? {
        faults.withLock { faults in
            guard let (fault, duration) = faults[page] else { return nil }
            if case .times(let n) = duration { faults[page] = n > 1 ? (fault, .times(n - 1)) : nil }
            return fault
        }
    }

    func respond(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let page = request.queryInt("page") ?? request.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
        let since = request.queryInt("since") ?? 0
        var next: Any = since + (page + 1) * perPage < total ? "p\(page + 1)" : NSNull()
        var recordsKey = "data"
        let fault = take(page: page)
        switch fault {
        case .status(let code, let retryAfter)?:
            return .json(["error": "fault \(code)"], status: code, headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
        case .resetBeforeResponse?: return .dropConnection
        case .notJSON?: return TestHTTPResponse(status: 200, headers: [("Content-Type", "text/html")], body: Array("<html>busy</html>".utf8))
        case .missingRecords?: recordsKey = "items"
        case .cursorRepeat?: next = "p\(page)"
        case .cursorCycle?: next = page > 0 ? "p\(page - 1)" : "p0"
        default: break
        }
        let records = TestDataset.records(from: since + page * perPage, count: perPage, total: total)
        let pages = (max(0, total - since) + perPage - 1) / perPage
        let page200 = TestHTTPResponse.json([recordsKey: records, "next": next, "pages": pages])
        switch fault {
        case .resetMidBody?: return page200.truncated(after: page200.body.count / 2)
        case .truncatedJSON?: return TestHTTPResponse(status: 200, headers: [("Content-Type", "application/json")],
                                                      body: Array(page200.body.prefix(page200.body.count / 2)))
        case .slowBody(let seconds)?: return page200.slowBody(seconds)
        default: return page200
        }
    }
}

extension TestHTTPServer {
    /// Serves a ``FaultFeed`` at `path`.
    public func installFaultFeed(path: String, total: Int, perPage: Int) -> FaultFeed {
        let feed = FaultFeed(path: path, total: total, perPage: perPage)
        route(path) { feed.respond($0) }
        return feed
    }
}
