import Foundation
import Testing
import TestSupport

/// The fault-injection matrix: every way an API fails (``Fault``), transient or persistent, against
/// every kind of HTTP connector. Each cell either delivers every record exactly once with exit 0,
/// or exits 1 with a clear error, publishes nothing, and a rerun once the API is healthy again
/// completes with every record exactly once.
@Suite struct FaultInjectionTests {
    /// A connector kind under test, as a pipeline reading the fault feed into `out.jsonl`.
    enum Connector: String, CaseIterable, Sendable {
        case builtin = "source.http"
        case get = "Lua get()"
        case paginate = "Lua run() with session:paginate"
    }

    enum Outcome: Sendable { case completes, fails }

    struct Cell: Sendable, CustomTestStringConvertible {
        var fault: Fault
        var duration: FaultDuration
        var outcome: Outcome
        /// Text the error must contain (when it fails).
        var error: String?
        var testDescription: String {
            let how: String
            switch duration {
            case .times(let n): how = "\(n)x"
            case .always: how = "always"
            }
            return "\(fault) \(how)"
        }
    }

    static let total = 100
    static let perPage = 10
    /// The page that fails (0-based): records before it are already delivered when it does.
    static let faultyPage = 4

    static let sourceCells: [Cell] = [
        Cell(fault: .status(503), duration: .times(2), outcome: .completes),
        Cell(fault: .status(500), duration: .times(1), outcome: .completes),
        Cell(fault: .status(429, retryAfter: "0"), duration: .times(1), outcome: .completes),
        Cell(fault: .resetBeforeResponse, duration: .times(1), outcome: .completes),
        Cell(fault: .resetMidBody, duration: .times(1), outcome: .completes),
        Cell(fault: .slowBody(0.3), duration: .times(1), outcome: .completes),
        Cell(fault: .status(503), duration: .always, outcome: .fails, error: "503"),
        Cell(fault: .status(429, retryAfter: "0"), duration: .always, outcome: .fails, error: "429"),
        Cell(fault: .resetBeforeResponse, duration: .always, outcome: .fails, error: "after 3 attempts"),
        Cell(fault: .resetMidBody, duration: .always, outcome: .fails, error: "after 3 attempts"),
        Cell(fault: .status(401), duration: .times(1), outcome: .fails, error: "[auth]"),
        Cell(fault: .notJSON, duration: .times(1), outcome: .fails, error: "JSON"),
        Cell(fault: .truncatedJSON, duration: .times(1), outcome: .fails, error: "JSON"),
        Cell(fault: .missingRecords, duration: .times(1), outcome: .fails, error: "data"),
        Cell(fault: .cursorRepeat, duration: .always, outcome: .fails, error: "p4"),
        Cell(fault: .cursorCycle, duration: .always, outcome: .fails, error: "p3"),
    ]

    @Test(arguments: Connector.allCases, sourceCells)
    func sourceUnderFault(connector: Connector, cell: Cell) async throws {
        try await onThread { try Self.run(connector, cell) }
    }

    static func run(_ connector: Connector, _ cell: Cell) throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        let feed = server.installFaultFeed(path: "/feed", total: total, perPage: perPage)
        let dir = try LuaflowBinary.workspace()
        try writePipeline(connector, baseURL: server.baseURL, in: dir)
        feed.inject(cell.fault, page: faultyPage, cell.duration)
        let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        let context = "\(connector.rawValue), \(cell.testDescription): \(first.stderr)"
        switch cell.outcome {
        case .completes:
            #expect(first.exitCode == 0, "\(context)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...total), "\(context)")
        case .fails:
            #expect(first.exitCode == 1, "\(context)")
            #expect(first.stderr.contains("node 'feed'"), "\(context)")
            if let error = cell.error { #expect(first.stderr.contains(error), "\(context)") }
            #expect(!dir.exists("out.jsonl"), "a failed run publishes nothing (\(context))")
            let state = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir)
            #expect(state.stdout.contains(#""status":"failed""#), "\(state.stdout)")
            feed.heal()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "rerun of \(context): \(rerun.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...total), "rerun of \(context)")
        }
    }

    /// An incremental source whose page keeps failing: the run fails without moving the cursor past
    /// the gap, and healthy reruns deliver every record once and then nothing new.
    @Test func anIncrementalSourceThatFailsMidwayLeavesNoGap() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let feed = server.installFaultFeed(path: "/feed", total: Self.total, perPage: Self.perPage)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.http { name = "feed", base_url = "\(server.baseURL)", path = "/feed", records_path = "data", \(Self.retry),
                                      paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" },
                                      incremental = { cursor_field = "id", cursor_param = "since", initial_value = 0 } },
                        sink.file { path = "out.jsonl", mode = "append" } } }
            """)
            feed.inject(.status(503), page: Self.faultyPage, .always)
            let failed = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(failed.exitCode == 1, "\(failed.stderr)")
            feed.heal()
            for _ in 0..<2 {
                let healthy = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
                #expect(healthy.exitCode == 0, "\(healthy.stderr)")
                #expect(try dir.ids(in: "out.jsonl") == Array(1...Self.total))
            }
            #expect(server.requests(path: "/feed").last?.queryValue("since") == String(Self.total), "the last run asked only for what is new")
        }
    }

    static let retry = "retry = { max_attempts = 3, base_delay = 0.01, max_delay = 0.05 }, timeout = { read = 5 }"

    static func writePipeline(_ connector: Connector, baseURL: String, in dir: URL) throws {
        let sink = #"sink.file { path = "out.jsonl" }"#
        switch connector {
        case .builtin:
            try dir.write("pipeline.lua", """
            network { { source.http { name = "feed", base_url = "\(baseURL)", path = "/feed", records_path = "data", \(retry),
                                      paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } },
                        \(sink) } }
            """)
        case .get:
            try dir.write("feed.lua", """
            schema = { base_url = { type = "string", required = true } }
            local session
            function init() session = http.session { base_url = config.base_url, \(retry) } end
            function get(pagination)
              local body = session:get("/feed", { query = { cursor = pagination.cursor } }):json()
              if body.data == nil then error("the page has no data array") end
              if body.next == json.null then return body.data, nil end
              return body.data, { cursor = body.next }
            end
            """)
            try dir.write("pipeline.lua", #"network { { source("feed.lua", { base_url = "\#(baseURL)" }), \#(sink) } }"#)
        case .paginate:
            try dir.write("feed.lua", """
            schema = { base_url = { type = "string", required = true } }
            local pages, page, i
            function init()
              local session = http.session { base_url = config.base_url, \(retry) }
              pages = session:paginate { path = "/feed", records_path = "data",
                                         paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } }
            end
            function run()
              while page == nil or i > #page.records do
                page = pages()
                if page == nil then return nil end
                i = 1
              end
              i = i + 1
              return page.records[i - 1]
            end
            """)
            try dir.write("pipeline.lua", #"network { { source("feed.lua", { base_url = "\#(baseURL)" }), \#(sink) } }"#)
        }
    }
}
