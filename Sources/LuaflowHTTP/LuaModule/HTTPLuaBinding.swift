import Foundation
import LuaBridge
import LuaflowCore

/// The Swift half of a node's `http` module: the sessions and page iterators its script created,
/// reached from Lua through host functions. One per node state; used only by that state's thread.
final class HTTPLuaBinding: @unchecked Sendable {
    private let runtime: HTTPRuntime
    private let stats: NodeStats
    private var sessions: [HTTPSession] = []
    /// The page walks under way, by id; a walk is let go once it has returned its last page (its
    /// Lua side never asks again), so a node reading thousands of partitions holds only the open ones.
    private var walks: [Int: (iterator: PageIterator, session: HTTPSession)] = [:]
    private var lastWalk = 0
    /// The outcomes of the last request_many, read one by one with many_result.
    private var manyResults: [Result<HTTPResponse, Error>] = []
    /// Each session's counters as ``counted(_:_:)`` last added them to the node's.
    private var countedSoFar: [ObjectIdentifier: HTTPMetrics.Snapshot] = [:]
    /// The event streams and WebSockets the script opened, by id (see `HTTPLuaBinding+Streams`).
    var eventStreams: [Int: SSEStream] = [:]
    var webSockets: [Int: WebSocketStream] = [:]
    var nextStreamID = 0
    /// When a source node's `lifetime` is over: its streams end then (uptime nanoseconds).
    let lifetimeEnd: UInt64?

    init(runtime: HTTPRuntime, stats: NodeStats, lifetime: Double? = nil) {
        self.runtime = runtime
        self.stats = stats
        lifetimeEnd = StreamDeadline.after(lifetime)
    }

    /// session(config_json) -> id
    func newSession(_ args: HostArguments) throws -> [LuaValue] {
        let config = try HTTPSessionConfig.decode(json: Data(args.bytes(1) ?? Array("{}".utf8)))
        var logger = runtime.logger
        logger[metadataKey: "node"] = "\(stats.name)"
        sessions.append(try HTTPSession(config: config, runtime: runtime, logger: logger, node: stats.name))
        return [.integer(Int64(sessions.count))]
    }

    /// request(id, method, path, query_json, headers_json, body | nil, raise)
    /// -> status, headers_json, body, url, attempts
    func request(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        var request = try makeRequest(args, method: 2)
        request.body = args.bytes(6)
        let raise = args[7] != .boolean(false)
        let response = try counted(session) { try session.executeBlocking(request, raise: raise) }
        return Self.values(of: response)
    }

    /// request_many(id, requests_json, concurrency, raise) -> count. `requests_json`: a list of
    /// `{"path": ..., "query": [[k, v]...], "headers": [[k, v]...]}`, sent as GET requests up to
    /// `concurrency` at once; their outcomes wait, in request order, for many_result.
    func requestMany(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        guard let json = args.bytes(2), let list = try JSONSerialization.jsonObject(with: Data(json)) as? [[String: Any]] else {
            throw HostFunctionError("http: get_many: requests must be a list")
        }
        let requests = list.map { item in
            HTTPRequest(method: "GET", url: item["path"] as? String ?? "", query: Self.pairs(item["query"]), headers: Self.pairs(item["headers"]))
        }
        let concurrency = max(1, args[3].integerValue.map(Int.init) ?? 1)
        let raise = args[4] != .boolean(false)
        manyResults = try counted(session) {
            try session.runtime.runBlocking { await session.executeAll(requests, concurrency: concurrency, raise: raise) }
        }
        return [.integer(Int64(manyResults.count))]
    }

    /// many_result(i) -> status, headers_json, body, url, attempts of request i of the last
    /// request_many, or its error raised. The last call (i = count) lets go of them all.
    func manyResult(_ args: HostArguments) throws -> [LuaValue] {
        guard let index = args[1].integerValue.map(Int.init), index >= 1, index <= manyResults.count else {
            throw HostFunctionError("http: no such response of get_many")
        }
        let result = manyResults[index - 1]
        if index == manyResults.count { manyResults = [] }
        return Self.values(of: try result.get())
    }

    /// paginate(id, method, path, query_json, headers_json, paginator_json, resume_token?, pages_before?, body?, concurrency?)
    /// -> iterator id
    func paginate(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        var request = try makeRequest(args, method: 2)
        request.body = args.bytes(9)
        let paginator = try PaginatorConfig.decode(json: Data(args.bytes(6) ?? Array(#"{"type":"none"}"#.utf8)))
        var resume: PageTarget?
        if let token = args[7].stringValue {
            guard let target = PageTarget(token: token) else { throw HostFunctionError("http: paginate: resume is not a page token: \(token)") }
            resume = target
        }
        let before = max(0, args[8].integerValue.map(Int.init) ?? 0)
        let concurrency = max(1, args[10].integerValue.map(Int.init) ?? 1)
        lastWalk += 1
        walks[lastWalk] = (PageIterator(session: session, request: request, paginator: paginator, resume: resume, pagesBefore: before,
                                        concurrency: concurrency), session)
        return [.integer(Int64(lastWalk))]
    }

    /// The walk whose id is argument 1.
    private func walk(_ args: HostArguments) throws -> (id: Int, iterator: PageIterator, session: HTTPSession) {
        guard let id = args[1].integerValue.map(Int.init), let walk = walks[id] else { throw HostFunctionError("http: unknown page iterator") }
        return (id, walk.iterator, walk.session)
    }

    /// The next page of walk `id`; the walk is let go after its last page.
    private func nextPage(of id: Int, _ iterator: PageIterator, _ session: HTTPSession, records: Bool) throws -> Page? {
        let page = try counted(session) { try iterator.next(records: records) }
        if page == nil || iterator.nextToken == nil { walks[id] = nil }
        return page
    }

    /// next_page(iterator id) -> status, headers_json, body, url, attempts, number, next_token | nil
    func nextPage(_ args: HostArguments) throws -> [LuaValue] {
        let (id, iterator, session) = try walk(args)
        guard let page = try nextPage(of: id, iterator, session, records: false) else { return [.nil] }
        return Self.values(of: page.response) + [.integer(Int64(page.number)), iterator.nextToken.map { .string($0) } ?? .nil]
    }

    /// prefetch_page(iterator id): starts the request for the iterator's next page without
    /// waiting for it (``PageIterator/prefetch()``).
    func prefetchPage(_ args: HostArguments) throws -> [LuaValue] {
        try walk(args).iterator.prefetch()
        return []
    }

    /// link_next(link_field, url) -> the URL of the `rel="next"` link, resolved against `url`, or nil.
    func linkNext(_ args: HostArguments) throws -> [LuaValue] {
        guard let field = args[1].stringValue else { return [.nil] }
        let headers = HTTPHeaderFields([("Link", field)])
        return [LinkHeader.nextURL(in: headers, relativeTo: args[2].stringValue ?? "").map { .string($0) } ?? .nil]
    }

    /// next_records(iterator id) -> records, number, next_token | nil [, url]; nil after the last page.
    /// `records` are the page's records as they are in the body (``LuaValue/recordLines(_:count:)``),
    /// or the body itself, with the page's URL, when the records path cannot be scanned (the
    /// caller decodes it).
    func nextRecords(_ args: HostArguments) throws -> [LuaValue] {
        let (id, iterator, session) = try walk(args)
        guard let page = try nextPage(of: id, iterator, session, records: true) else { return [.nil] }
        let next: LuaValue = iterator.nextToken.map { .string($0) } ?? .nil
        guard let records = page.records else {
            return [.bytes(page.response.body), .integer(Int64(page.number)), next, Self.values(of: page.response)[3]]
        }
        return [.recordLines(records.lines, count: records.count), .integer(Int64(page.number)), next]
    }

    /// idempotency_key() -> a new random key, for one logical write and all its retries.
    /// path_segment(text) -> `text` encoded as one path segment (``URLBuilder/encodePathSegment(_:)``),
    /// or nil and the reason when it is longer than ``URLBuilder/maxPathSegmentBytes``.
    func pathSegment(_ args: HostArguments) -> [LuaValue] {
        let text = args[1].stringValue ?? ""
        guard let encoded = URLBuilder.encodePathSegment(text) else {
            return [.nil, .string("the value is \(text.utf8.count) bytes, more than the \(URLBuilder.maxPathSegmentBytes) a path segment may hold")]
        }
        return [.string(encoded)]
    }

    func idempotencyKey(_ args: HostArguments) throws -> [LuaValue] {
        [.string(UUID().uuidString.lowercased())]
    }

    func session(_ args: HostArguments, _ index: Int) throws -> HTTPSession {
        guard let id = args[index].integerValue.map(Int.init), id >= 1, id <= sessions.count else {
            throw HostFunctionError("http: not a session (create one with http.session { ... })")
        }
        return sessions[id - 1]
    }

    /// Reads method, path, query pairs and header pairs from arguments `method`...`method + 3`.
    /// A method that is not an RFC 9110 token is refused here, at the script's call.
    func makeRequest(_ args: HostArguments, method: Int) throws -> HTTPRequest {
        let request = HTTPRequest(method: try args.string(method, function: "http.request"),
                                  url: args[method + 1].stringValue ?? "",
                                  query: try Self.pairs(args.bytes(method + 2)),
                                  headers: try Self.pairs(args.bytes(method + 3)))
        try HTTPRequest.validate(method: request.method)
        return request
    }

    /// Runs a call, then adds to the node's counters what its session did since it was last
    /// counted: the call's requests and retries, and those of pages fetched ahead between calls.
    func counted<T>(_ session: HTTPSession, _ body: () throws -> T) throws -> T {
        defer {
            let key = ObjectIdentifier(session)
            let (before, after) = (countedSoFar[key] ?? HTTPMetrics.Snapshot(), session.metrics.snapshot)
            countedSoFar[key] = after
            stats.update {
                $0.requests += after.requests - before.requests
                $0.retries += after.retries - before.retries
                $0.requestFailures += after.failures - before.failures
            }
        }
        return try body()
    }

    static func pairs(_ json: [UInt8]?) throws -> [(String, String)] {
        guard let json, let list = try JSONSerialization.jsonObject(with: Data(json)) as? [[String]] else { return [] }
        return list.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    private static func pairs(_ value: Any?) -> [(String, String)] {
        (value as? [[String]] ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    private static func values(of response: HTTPResponse) -> [LuaValue] {
        let headers = response.headers.map { [$0.name, $0.value] }
        let headersJSON = (try? JSONSerialization.data(withJSONObject: headers)) ?? Data("[]".utf8)
        return [.integer(Int64(response.status)), .bytes(Array(headersJSON)), .bytes(response.body),
                .string(Redactor.shared.redact(URLRedactor.redact(response.url))), .integer(Int64(response.attempts))]
    }
}
