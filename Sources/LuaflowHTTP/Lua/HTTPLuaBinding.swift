import Foundation
import LuaBridge
import LuaflowCore

/// The Swift half of a node's `http` module: the sessions and page iterators its script created,
/// reached from Lua through host functions. One per node state; used only by that state's thread.
final class HTTPLuaBinding: @unchecked Sendable {
    private let runtime: HTTPRuntime
    private let stats: NodeStats
    private var sessions: [HTTPSession] = []
    private var iterators: [PageIterator] = []
    private var iteratorSessions: [HTTPSession] = []
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

    /// paginate(id, method, path, query_json, headers_json, paginator_json, resume_token?, pages_before?) -> iterator id
    func paginate(_ args: HostArguments) throws -> [LuaValue] {
        let session = try self.session(args, 1)
        let request = try makeRequest(args, method: 2)
        let paginator = try PaginatorConfig.decode(json: Data(args.bytes(6) ?? Array(#"{"type":"none"}"#.utf8)))
        var resume: PageTarget?
        if let token = args[7].stringValue {
            guard let target = PageTarget(token: token) else { throw HostFunctionError("http: paginate: resume is not a page token: \(token)") }
            resume = target
        }
        let before = max(0, args[8].integerValue.map(Int.init) ?? 0)
        iterators.append(PageIterator(session: session, request: request, paginator: paginator, resume: resume, pagesBefore: before))
        iteratorSessions.append(session)
        return [.integer(Int64(iterators.count))]
    }

    /// next_page(iterator id) -> status, headers_json, body, url, attempts, number, next_token | nil
    func nextPage(_ args: HostArguments) throws -> [LuaValue] {
        guard let index = args[1].integerValue.map(Int.init), index >= 1, index <= iterators.count else {
            throw HostFunctionError("http: unknown page iterator")
        }
        let iterator = iterators[index - 1]
        guard let page = try counted(iteratorSessions[index - 1], { try iterator.next() }) else { return [.nil] }
        return Self.values(of: page.response) + [.integer(Int64(page.number)), iterator.nextToken.map { .string($0) } ?? .nil]
    }

    /// idempotency_key() -> a new random key, for one logical write and all its retries.
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

    /// Runs a request, adding its requests and retries to the node's counters.
    func counted<T>(_ session: HTTPSession, _ body: () throws -> T) throws -> T {
        let before = session.metrics.snapshot
        defer {
            let after = session.metrics.snapshot
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

    private static func values(of response: HTTPResponse) -> [LuaValue] {
        let headers = response.headers.map { [$0.name, $0.value] }
        let headersJSON = (try? JSONSerialization.data(withJSONObject: headers)) ?? Data("[]".utf8)
        return [.integer(Int64(response.status)), .bytes(Array(headersJSON)), .bytes(response.body),
                .string(Redactor.shared.redact(URLRedactor.redact(response.url))), .integer(Int64(response.attempts))]
    }
}
