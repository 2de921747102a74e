import Foundation

/// Walks the pages of a paginated endpoint through a session: sends the request, reads each page
/// with the paginator's state machine and sends the next one until the data, `max_pages` or an
/// error ends it. Every page goes through the session's auth, rate limit and retries.
///
///     let pages = PageIterator(session: session, request: HTTPRequest(url: "/users"), paginator: config)
///     while let page = try pages.next() { ... }   // on a stage thread
///
/// Not thread-safe: one iterator belongs to one thread or task.
public final class PageIterator {
    public let session: HTTPSession
    public let paginator: PaginatorConfig
    private let request: HTTPRequest
    private var machine: any PaginationStateMachine
    private var pending: HTTPRequest?
    /// Where `pending` points, as the paginator named it.
    private var pendingTarget: PageTarget?
    /// Pages returned so far.
    public private(set) var pagesFetched = 0

    /// `resume`: a ``PageTarget/token`` recorded earlier, to start at that page instead of the first.
    public init(session: HTTPSession, request: HTTPRequest, paginator: PaginatorConfig, resume: PageTarget? = nil) {
        self.session = session
        self.paginator = paginator
        self.request = request
        self.machine = paginator.makeStateMachine()
        if let resume { machine.resume(at: resume) }
        pendingTarget = resume ?? machine.firstPage
        self.pending = Self.apply(pendingTarget!, to: request)
    }

    /// The token of the page the next call fetches (nil when there is none): what a checkpoint keeps.
    public var nextToken: String? {
        pending == nil ? nil : pendingTarget?.token
    }

    /// The next page, or nil when there are no more. Blocks the calling thread while the request
    /// runs: call it from a dedicated thread (a stage), never from Swift's concurrency pool.
    @available(*, noasync, message: "blocks the calling thread; use nextPage()")
    public func next() throws -> Page? {
        guard let request = takeRequest() else { return nil }
        return try advance(after: session.executeBlocking(request), request: request)
    }

    /// The next page, or nil when there are no more.
    public func nextPage() async throws -> Page? {
        guard let request = takeRequest() else { return nil }
        return try advance(after: await session.execute(request), request: request)
    }

    private func takeRequest() -> HTTPRequest? {
        if let maxPages = paginator.maxPages, pagesFetched >= maxPages { pending = nil }
        defer { pending = nil }  // an error ends the iteration; success sets the next request
        return pending
    }

    private func advance(after response: HTTPResponse, request sent: HTTPRequest) throws -> Page {
        pagesFetched += 1
        let paths = machine.bodyPaths
        let countPath = machine.needsRecordCount || paginator.recordsPath != nil ? paginator.recordsPath ?? "" : nil
        var values: [String: Any] = [:]
        var count: Int?
        if !paths.isEmpty || countPath != nil {
            do {
                (values, count) = try Self.read(response.body, paths: paths, countPath: countPath)
            } catch {
                let reason = (error as? HTTPError)?.detail.map { " (\($0))" } ?? ""
                throw HTTPError(.invalidResponse, method: sent.method, url: response.url, status: response.status,
                                attempts: response.attempts, body: response.body, detail: "page \(pagesFetched) is not valid JSON\(reason)")
            }
        }
        var hasher = Hasher()
        response.body.withUnsafeBytes { hasher.combine(bytes: $0) }
        let snapshot = PageSnapshot(url: response.url, headers: response.headers, values: values, recordCount: count,
                                    bodyDigest: hasher.finalize())
        do {
            pendingTarget = try machine.next(after: snapshot)
            pending = pendingTarget.map { Self.apply($0, to: request) }
        } catch let error as HTTPError {
            throw error.on(method: sent.method, url: response.url)
        }
        return Page(response: response, number: pagesFetched, recordCount: count)
    }

    /// The values at `paths` and the record count at `countPath`: scanned without building the
    /// document when the paths allow it (no negative indexes), else from a full parse.
    static func read(_ body: [UInt8], paths: [String], countPath: String?) throws -> (values: [String: Any], count: Int?) {
        let all = paths + (countPath.map { [$0] } ?? [])
        if all.allSatisfy(JSONScanner.canScan) {
            let extract = try JSONScanner.scan(body, values: paths, counts: countPath.map { [$0] } ?? [])
            return (extract.values, countPath.map { extract.counts[$0] ?? 0 })
        }
        let json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        let snapshot = PageSnapshot(url: "", json: json, paths: paths, recordsPath: countPath)
        return (snapshot.values, snapshot.recordCount)
    }

    /// The original request pointed at `target`.
    static func apply(_ target: PageTarget, to request: HTTPRequest) -> HTTPRequest {
        var next = request
        switch target {
        case .parameters(let items):
            next.url = URLBuilder.removing(parameters: Set(items.map(\.0)), from: request.url)
            for (name, value) in items { next.setQuery(name, value) }
        case .url(let url):
            next.url = url
            next.query = []
        }
        return next
    }
}
