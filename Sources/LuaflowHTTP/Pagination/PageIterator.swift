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
    /// The paginator config; a `type = "auto"` one is replaced by the paginator the first response showed.
    public private(set) var paginator: PaginatorConfig
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
    /// Pages fetched at once when the paginator knows them ahead (``PaginationStateMachine/upcoming(_:)``).
    public let concurrency: Int
    /// The requests in flight: the page asked for, the pages `concurrency` fetches ahead, and the
    /// next page read ahead while the caller works on this one.
    private let window: FetchWindow<PageTarget>

    /// `resume`: a ``PageTarget/token`` recorded earlier, to start at that page instead of the first;
    /// `pagesBefore`: the pages an earlier walk fetched before it (numbering and `max_pages` go on from there).
    /// `concurrency`: how many pages may be in flight at once when the paginator can name them
    /// before they are needed (offset with `total_path`, page numbers with `total_pages_path`);
    /// the pages are still returned in order, one by one.
    public init(session: HTTPSession, request: HTTPRequest, paginator: PaginatorConfig, resume: PageTarget? = nil,
                pagesBefore: Int = 0, concurrency: Int = 1) {
        self.session = session
        self.concurrency = max(1, concurrency)
        window = FetchWindow(session: session)
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
    /// With `records`, the page's records are cut out of the body as JSON lines (``Page/records``)
    /// when the paths can be scanned (``JSONScanner/canScan(_:)``: no negative index).
    @available(*, noasync, message: "blocks the calling thread; use nextPage()")
    public func next(records: Bool = false) throws -> Page? {
        guard let request = nextRequest(), let target = pendingTarget else { return nil }
        let ahead = machine.upcoming(min(concurrency - 1, paginator.maxPages.map { $0 - pagesFetched - 1 } ?? Int.max))
        window.keep([(target, request)] + ahead.map { ($0, Self.apply($0, to: self.request, paginator: paginator)) },
                    credentialOrigin: credentialOrigin)
        return try advance(after: window.take(target), request: request, records: records, readingAhead: true)
    }

    /// Starts the request for page `number`, the one the next call returns, so that it travels
    /// while this page's records are cut out and handed on. Still one request at a time with
    /// `concurrency` 1: it starts after the last response ended. Only for methods without side
    /// effects (a walk may stop early), never past `max_pages`.
    private func readAhead(_ target: PageTarget, _ request: HTTPRequest, number: Int) {
        guard request.method == "GET" || request.method == "HEAD", number <= paginator.maxPages ?? Int.max else { return }
        window.start(target, request: request, credentialOrigin: credentialOrigin)
    }

    /// Starts the request for the next page now, without waiting for it, so that a later
    /// ``next(records:)`` finds it in flight or done: what lets a source read the first page of
    /// its next partitions while it hands on this one's. Only with `concurrency` above 1 and
    /// nothing in flight yet; holds at most that one response until it is taken.
    public func prefetch() {
        guard concurrency > 1, window.keys.isEmpty, let request = nextRequest(), let target = pendingTarget else { return }
        window.start(target, request: request, credentialOrigin: credentialOrigin)
    }

    /// The next page, or nil when there are no more (see ``next(records:)``); one page at a time,
    /// whatever ``concurrency`` says.
    public func nextPage(records: Bool = false) async throws -> Page? {
        guard let request = nextRequest() else { return nil }
        return try advance(after: await session.execute(request, raise: true, credentialOrigin: credentialOrigin), request: request,
                           records: records, readingAhead: false)
    }

    private func nextRequest() -> HTTPRequest? {
        if let maxPages = paginator.maxPages, pagesFetched >= maxPages { pending = nil }
        return pending
    }

    /// The paths every page is scanned for, prepared on first use (nil: the body needs no reading).
    private lazy var plan: JSONScanner.Plan? = {
        let paths = machine.bodyPaths, countPath = self.countPath
        guard !paths.isEmpty || countPath != nil, (paths + [countPath ?? ""]).allSatisfy(JSONScanner.canScan) else { return nil }
        return JSONScanner.Plan(values: paths, counts: countPath.map { [$0] } ?? [])
    }()

    /// ``plan`` plus the records' span, for ``next(records:)``.
    private lazy var recordsPlan = JSONScanner.Plan(values: machine.bodyPaths, counts: countPath.map { [$0] } ?? [],
                                                    spans: [paginator.recordsPath ?? ""])

    /// Where the paginator counts records (nil: it needs no count and no records path is set).
    private var countPath: String? {
        machine.needsRecordCount || paginator.recordsPath != nil ? paginator.recordsPath ?? "" : nil
    }

    /// Reads the page `sent` fetched and moves on to the next one (`readingAhead`: requesting it
    /// before this page's records are cut out); throws (staying on this page) when the page cannot
    /// be read or the paginator finds a loop.
    private func advance(after response: HTTPResponse, request sent: HTTPRequest, records wantsRecords: Bool,
                         readingAhead: Bool) throws -> Page? {
        if response.skipped {
            // A `skip` response action: there is nothing here, and no page after it.
            pending = nil
            return nil
        }
        if paginator.style == .auto { try detectPaginator(from: response, request: sent) }
        let number = pagesFetched + 1
        let paths = machine.bodyPaths
        let countPath = self.countPath
        var values: [String: Any] = [:]
        var count: Int?
        var records: PageRecords?
        var recordsSpan: Range<Int>?
        func invalid(_ error: Error) -> HTTPError {
            let reason = (error as? HTTPError)?.detail.map { " (\($0))" } ?? ""
            return HTTPError(.invalidResponse, method: sent.method, url: response.url, status: response.status,
                             attempts: response.attempts, body: response.body, detail: "page \(number) is not valid JSON\(reason)")
        }
        if wantsRecords, (paths + [paginator.recordsPath ?? ""]).allSatisfy(JSONScanner.canScan) {
            let extract: JSONScanner.Extract
            do { extract = try JSONScanner.scan(response.body, plan: recordsPlan) } catch { throw invalid(error) }
            guard let span = extract.spans[paginator.recordsPath ?? ""] else {
                throw Self.missingRecords(paginator.recordsPath ?? "", page: number, url: response.url, body: response.body)
            }
            recordsSpan = span
            values = extract.values
            count = countPath.map { extract.counts[$0] ?? 0 }
        } else if !paths.isEmpty || countPath != nil {
            do {
                if let plan {
                    let extract = try JSONScanner.scan(response.body, plan: plan)
                    (values, count) = (extract.values, countPath.map { extract.counts[$0] ?? 0 })
                } else {
                    (values, count) = try Self.read(response.body, paths: paths, countPath: countPath)
                }
            } catch {
                throw invalid(error)
            }
        }
        var digest: Int?
        if machine.comparesBodies {
            var hasher = Hasher()
            response.body.withUnsafeBytes { hasher.combine(bytes: $0) }
            digest = hasher.finalize()
        }
        let snapshot = PageSnapshot(url: response.url, headers: response.headers, values: values, recordCount: count,
                                    bodyDigest: digest)
        var machine = self.machine  // unchanged when the page is refused
        let nextTarget: PageTarget?
        do { nextTarget = try machine.next(after: snapshot) } catch let error as HTTPError {
            throw error.on(method: sent.method, url: response.url)
        }
        let nextRequest = nextTarget.map { Self.apply($0, to: request, paginator: paginator) }
        if readingAhead, let nextTarget, let nextRequest { readAhead(nextTarget, nextRequest, number: number + 1) }
        if let recordsSpan {
            do { records = try PageRecords.split(response.body, span: recordsSpan) } catch let error as HTTPError {
                window.cancelAll()  // the walk stays on this page
                throw HTTPError(.invalidResponse, method: sent.method, url: response.url, status: response.status,
                                attempts: response.attempts, body: response.body, detail: "page \(number): \(error.detail ?? "")")
            }
        }
        self.machine = machine
        (pendingTarget, pending) = (nextTarget, nextRequest)
        pagesFetched = number
        return Page(response: response, number: number, recordCount: count, records: records)
    }

    /// `type = "auto"`: takes the paginator ``PaginatorDetector`` finds in the first response (once
    /// per walk; every later page goes through that paginator alone) and says which, once per
    /// session, at info level. Throws when the response looks paged in a way no paginator follows.
    private func detectPaginator(from response: HTTPResponse, request sent: HTTPRequest) throws {
        switch PaginatorDetector.detect(url: response.url, headers: response.headers, body: response.body, base: paginator) {
        case .paginator(let found, let evidence):
            let path = found.nextURLPath.map { ", next_url_path = \"\($0)\"" } ?? ""
            session.noteOnce("paginator detected: { type = \"\(found.style.rawValue)\"\(path) }, as \(evidence)")
            paginator = found
        case .singlePage(let reason):
            session.noteOnce("no paginator detected, reading one page: \(reason) (paginator = { type = \"none\" } says so on purpose)")
            paginator = paginator.withStyle(.none)
        case .undetectable(let evidence, let hint):
            throw HTTPError(.invalidConfig, method: sent.method, url: response.url, status: response.status,
                            detail: "paginator: none is set and none could be detected, but \(evidence); set \(hint), or paginator = { type = \"none\" } to read one page on purpose")
        }
        machine = paginator.makeStateMachine()
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
