import Foundation

/// Walks the pages of a paginated endpoint through a session: sends the request, reads each page
/// with the paginator's state machine and sends the next one until the data, `max_pages` or an
/// error ends it. Every page goes through the session's auth, rate limit and retries; the
/// credentials go only to the origin of the first request (the one `request` names, also when
/// resuming), wherever a `next_url` or `Link` points.
///
///     let pages = PageIterator(session: session, request: HTTPRequest(url: "/users"), paginator: config)
///     while let page = try pages.next() { ... }   // on a stage thread
///
/// Not thread-safe: one iterator belongs to one thread or task.
public final class PageIterator {
    public let session: HTTPSession
    public let paginator: PaginatorConfig
    private let request: HTTPRequest
    /// Where the credentials may go: the first request's origin (nil: nowhere, when the session
    /// keeps them to a `base_url` on another origin).
    private let credentialOrigin: Origin?
    private var machine: any PaginationStateMachine
    private var pending: HTTPRequest?
    /// Where `pending` points, as the paginator named it.
    private var pendingTarget: PageTarget?
    /// Pages returned so far (counting those of the walk it resumes).
    public private(set) var pagesFetched = 0

    /// `resume`: a ``PageTarget/token`` recorded earlier, to start at that page instead of the first;
    /// `pagesBefore`: the pages an earlier walk fetched before it (numbering and `max_pages` go on from there).
    public init(session: HTTPSession, request: HTTPRequest, paginator: PaginatorConfig, resume: PageTarget? = nil,
                pagesBefore: Int = 0) {
        self.session = session
        self.paginator = paginator
        self.request = request
        if let first = try? request.resolvedURL(base: session.config.baseURL), let origin = Origin(url: first),
           session.credentialOrigin(of: first) == origin {
            credentialOrigin = origin
        } else {
            credentialOrigin = nil
        }
        self.machine = paginator.makeStateMachine()
        if let resume { machine.resume(at: resume) }
        pendingTarget = resume ?? machine.firstPage
        self.pending = Self.apply(pendingTarget!, to: request, paginator: paginator)
        pagesFetched = pagesBefore
    }

    /// The token of the page the next call fetches (nil when there is none): what a checkpoint
    /// keeps. It holds no credentials (an API key query parameter a server echoed into a next
    /// link is removed); the session adds them again when the page is fetched.
    public var nextToken: String? {
        guard pending != nil, let target = pendingTarget else { return nil }
        return target.removing(parameters: session.authenticator.queryParameter.map { [$0] } ?? []).token
    }

    /// The next page, or nil when there are no more. Blocks the calling thread while the request
    /// runs: call it from a dedicated thread (a stage), never from Swift's concurrency pool.
    /// A failed page is not skipped: the error is thrown, and calling again asks for the same page.
    @available(*, noasync, message: "blocks the calling thread; use nextPage()")
    public func next() throws -> Page? {
        guard let request = nextRequest() else { return nil }
        let (session, origin) = (self.session, credentialOrigin)
        return try advance(after: session.runtime.runBlocking { try await session.execute(request, raise: true, credentialOrigin: origin) },
                           request: request)
    }

    /// The next page, or nil when there are no more (see ``next()``).
    public func nextPage() async throws -> Page? {
        guard let request = nextRequest() else { return nil }
        return try advance(after: await session.execute(request, raise: true, credentialOrigin: credentialOrigin), request: request)
    }

    private func nextRequest() -> HTTPRequest? {
        if let maxPages = paginator.maxPages, pagesFetched >= maxPages { pending = nil }
        return pending
    }

    /// Reads the page `sent` fetched and moves on to the next one; throws (staying on this page)
    /// when the page cannot be read or the paginator finds a loop.
    private func advance(after response: HTTPResponse, request sent: HTTPRequest) throws -> Page? {
        if response.skipped {
            // A `skip` response action: there is nothing here, and no page after it.
            pending = nil
            return nil
        }
        let number = pagesFetched + 1
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
                                attempts: response.attempts, body: response.body, detail: "page \(number) is not valid JSON\(reason)")
            }
        }
        var hasher = Hasher()
        response.body.withUnsafeBytes { hasher.combine(bytes: $0) }
        let snapshot = PageSnapshot(url: response.url, headers: response.headers, values: values, recordCount: count,
                                    bodyDigest: hasher.finalize())
        do {
            var machine = self.machine  // unchanged when the page is refused
            pendingTarget = try machine.next(after: snapshot)
            self.machine = machine
            pending = pendingTarget.map { Self.apply($0, to: request, paginator: paginator) }
        } catch let error as HTTPError {
            throw error.on(method: sent.method, url: response.url)
        }
        pagesFetched = number
        return Page(response: response, number: number, recordCount: count)
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

    /// The original request pointed at `target`; the paginator's moving value goes where its
    /// `inject` says.
    static func apply(_ target: PageTarget, to request: HTTPRequest, paginator: PaginatorConfig) -> HTTPRequest {
        var next = request
        switch target {
        case .parameters(var items):
            if paginator.inject != .query, let moving = paginator.movingParameter {
                let value = items.first { $0.0 == moving.name }?.1
                items.removeAll { $0.0 == moving.name }
                next = paginator.inject.apply(value, number: moving.isNumber, to: next)
            }
            next.url = URLBuilder.removing(parameters: Set(items.map(\.0)), from: next.url)
            for (name, value) in items { next.setQuery(name, value) }
        case .url(let url):
            next.url = url
            next.query = []
        }
        return next
    }
}
