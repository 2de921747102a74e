import Foundation
import LuaflowCore
import LuaflowTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// `--metrics` and OpenTelemetry export, through the built binary: a paginated HTTP source whose
/// pages arrive slowly (one answered 503 first, to see a retry), with its API key in the query
/// string and in a header, checkpoints, and a transform that records script metrics.
@Suite struct ObservabilityTests {
    static let secret = "obs-s3cret-key-4b7e91"
    static let total = 120

    /// A server with `/slow-cursor` (20 records a page, 80 ms a page but 4 s for the fourth, so a
    /// scrape can see the run under way even on a busy machine; the second page's first request
    /// answered 503) and a pipeline reading it.
    func setUp() throws -> (TestHTTPServer, URL) {
        let server = try TestHTTPServer.start(standardRoutes: false)
        server.route("/slow-cursor") { request in
            let offset = request.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
            if offset == 20 && server.hit("page2") == 1 { return TestHTTPResponse.json(["error": "busy"], status: 503) }
            let records = TestDataset.records(from: offset, count: 20, total: Self.total)
            let next = offset + records.count
            return TestHTTPResponse.json(["data": records, "next": next < Self.total ? "c\(next)" as Any : NSNull()])
                .delayed(by: offset == 60 ? 4 : 0.08)
        }
        let dir = try LuaflowBinary.workspace()
        try dir.write("tag.lua", """
        schema = { token = { type = "secret", required = true } }
        function run(r)
          local stop = metrics.timer("tagging")
          metrics.counter("seen", 1, { parity = r.id % 2 == 0 and "even" or "odd" })
          metrics.histogram("id_value", r.id)
          metrics.gauge("last_id", r.id, { token = config.token })
          stop()
          local work = 0
          for i = 1, 500 do work = work + i end -- enough Lua to show in the instruction count
          if r.id % 10 == 0 then return nil end
          return r
        end
        """)
        try dir.write("pipeline.lua", """
        network { { source.http { name = "api", checkpoint_every = 2, base_url = "\(server.baseURL)", path = "/slow-cursor",
                                  records_path = "data", paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" },
                                  auth = { api_key = "\(Self.secret)", query = "api_key" }, headers = { ["X-Api-Token"] = "\(Self.secret)" },
                                  retry = { base_delay = 0.05 } },
                    transform("tag.lua", { token = "\(Self.secret)" }), sink.file { name = "out", path = "out.jsonl" } } }
        """)
        return (server, dir)
    }

    @Test func metricsAreServedDuringTheRunAndMatchTheSummary() async throws {
        let (server, dir) = try setUp()
        defer { server.stop() }
        let port = try Self.freePort()
        // The run lingers until the test has scraped its end, then a stop signal ends the linger.
        let scrapedTheEnd = Locked(false)
        let run = Self.runInBackground(["run", "pipeline.lua", "--metrics", "127.0.0.1:\(port)", "--metrics-linger", "300s",
                                        "--log-format", "json"], in: dir, until: { scrapedTheEnd.withLock { $0 } })
        var scrapes: [String] = []
        var midRun: [String: Double]?
        var final: [String: Double]?
        let deadline = Date().addingTimeInterval(300)
        while final == nil && Date() < deadline {
            if let text = try? await Self.get("http://127.0.0.1:\(port)/metrics") {
                scrapes.append(text)
                let values = Self.parse(text)
                if values[#"luaflow_run_outcome{outcome="running"}"#] == 1, (values[#"luaflow_node_records_out_total{node="api"}"#] ?? 0) > 0 {
                    midRun = midRun ?? values
                }
                if values[#"luaflow_run_outcome{outcome="succeeded"}"#] == 1 {
                    final = values
                    scrapedTheEnd.withLock { $0 = true }
                }
            }
            try await Task.sleep(nanoseconds: 30_000_000)
        }
        let result = try await run.value
        #expect(result.exitCode == 0, "\(result.stderr)")
        let mid = try #require(midRun, "no scrape caught the run under way")
        let end = try #require(final, "no scrape after the run ended (linger)")
        #expect(mid[#"luaflow_node_records_out_total{node="api"}"#]! < Double(Self.total))

        // The last scrape holds the counts the summary printed.
        let summary = try Self.summary(result.stderr)
        for node in ["api", "tag", "out"] {
            let row = try #require(summary[node])
            #expect(end[#"luaflow_node_records_in_total{node="\#(node)"}"#] == row["in"], "\(node) in")
            #expect(end[#"luaflow_node_records_out_total{node="\#(node)"}"#] == row["out"], "\(node) out")
            #expect(end[#"luaflow_node_records_dropped_total{node="\#(node)"}"#] == row["dropped"], "\(node) dropped")
            #expect(end[#"luaflow_node_errors_total{node="\#(node)"}"#] == row["errors"], "\(node) errors")
        }
        #expect(summary["tag"]?["dropped"] == Double(Self.total / 10))
        #expect(end[#"luaflow_node_http_requests_total{node="api"}"#] == summary["api"]?["requests"])
        #expect(end[#"luaflow_node_http_retries_total{node="api"}"#] == 1)
        let host = "127.0.0.1:\(server.port)"
        let pages = Double(server.requests(path: "/slow-cursor").count)
        #expect(end[#"luaflow_http_requests_total{host="\#(host)",status_class="2xx"}"#] == pages - 1)
        #expect(end[#"luaflow_http_requests_total{host="\#(host)",status_class="5xx"}"#] == 1)
        #expect(end[#"luaflow_http_retries_total{host="\#(host)"}"#] == 1)
        #expect(end[#"luaflow_http_request_duration_seconds_count{host="\#(host)"}"#] == pages)
        #expect((end[#"luaflow_checkpoints_committed_total{node="api"}"#] ?? 0) >= 1)
        #expect(end[#"luaflow_script_seen_total{node="tag",parity="even"}"#] == Double(Self.total / 2))
        #expect(end[#"luaflow_script_id_value_count{node="tag"}"#] == Double(Self.total))
        #expect(end[#"luaflow_script_id_value_sum{node="tag"}"#] == Double(Self.total * (Self.total + 1) / 2))
        #expect(end[#"luaflow_script_tagging_count{node="tag"}"#] == Double(Self.total))
        #expect(end[#"luaflow_script_last_id{node="tag",token="***"}"#] == Double(Self.total), "a secret in a script's label is masked")
        #expect(end[#"luaflow_run_end_time_seconds"#] ?? 0 >= end[#"luaflow_run_start_time_seconds"#] ?? .infinity)
        // Resources: the file sink's bytes are the output's size; the script's Lua ran (120 records
        // of a 500-step loop: over 100,000 instructions) and holds memory.
        let written = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("out.jsonl").path)[.size] as? Int
        #expect(end[#"luaflow_node_bytes_written_total{node="out"}"#] == written.map(Double.init))
        #expect((end[#"luaflow_node_lua_instructions_total{node="tag"}"#] ?? 0) >= 100_000)
        #expect((end[#"luaflow_node_lua_memory_bytes{node="tag"}"#] ?? 0) > 10_000)
        // The API key went out on every request, but into no metric.
        #expect(server.requests(path: "/slow-cursor").allSatisfy { $0.queryValue("api_key") == Self.secret })
        for text in scrapes { #expect(!text.contains(Self.secret)) }
        // The summary of -v-less JSON output carries the script metrics too.
        #expect(result.stderr.contains(#""name":"seen""#))
    }

    @Test func spansAndMetricsAreExportedOverOTLPWithTraceContextOnRequests() throws {
        let (server, dir) = try setUp()
        defer { server.stop() }
        server.installOTLPRoutes()
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-v"], in: dir,
                                           environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": server.baseURL, "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tag.seen{parity=\"even\"}"), "-v lists script metrics:\n\(result.stderr)")
        let spans = server.exportedSpans()
        let runs = spans.filter { $0.name == "luaflow.run" }
        let run = try #require(runs.first, "no run span among \(spans.map(\.name))")
        #expect(runs.count == 1 && run.parentSpanID.isEmpty)
        #expect(run.attributes["luaflow.outcome"] == "succeeded")
        #expect(spans.allSatisfy { $0.traceID == run.traceID }, "one trace per run")
        let nodes = Dictionary(spans.filter { $0.name == "luaflow.node" }.map { ($0.attributes["luaflow.node"] ?? "", $0) }) { $1 }
        #expect(Set(nodes.keys) == ["api", "tag", "out"])
        #expect(nodes.values.allSatisfy { $0.parentSpanID == run.spanID })
        #expect(nodes["tag"]?.attributes["luaflow.records_in"] == String(Self.total))
        let api = try #require(nodes["api"])

        let requests = spans.filter { $0.name == "HTTP GET" }
        let pages = server.requests(path: "/slow-cursor")
        #expect(requests.count == pages.count - 1, "one span per request, its retry an event")
        #expect(requests.allSatisfy { $0.parentSpanID == api.spanID })
        #expect(requests.allSatisfy { $0.attributes["url.full"]?.hasPrefix(server.baseURL + "/slow-cursor") == true })
        let retried = requests.filter { $0.events.contains { $0.name == "retry" } }
        #expect(retried.count == 1)
        #expect(retried.first?.events.first?.attributes["luaflow.retry.reason"] == "status 503")
        // Every request carried the trace context of its span.
        let spanIDs = Set(requests.map(\.spanID))
        for page in pages {
            let parts = page.header("traceparent")?.split(separator: "-").map(String.init) ?? []
            #expect(parts.count == 4 && parts[1] == run.traceID && spanIDs.contains(parts[2]), "traceparent \(parts)")
        }

        let checkpoints = spans.filter { $0.name == "luaflow.checkpoint" }
        #expect(!checkpoints.isEmpty && checkpoints.allSatisfy { $0.parentSpanID == api.spanID })

        let metrics = server.exportedMetrics()
        #expect(metrics.contains { $0.name == "luaflow_node_records_out_total" && $0.attributes["node"] == "api" })
        #expect(metrics.contains { $0.name == "luaflow_script_seen_total" && $0.attributes["parity"] == "odd" })

        // No secret in any span, attribute, event or metric.
        for request in server.requests(path: "/v1/traces") + server.requests(path: "/v1/metrics") {
            #expect(!request.bodyText.contains(Self.secret))
        }
    }

    @Test func badMetricsAddressIsAUsageError() throws {
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--metrics", "localhost"], in: dir)
        #expect(result.exitCode == 64 || result.exitCode == 2)
        #expect(result.stderr.contains("--metrics expects host:port"))
    }

    @Test func theBoundPortIsPrintedAndABusyPortIsExplained() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", "network { { source.list { items = { { a = 1 } } }, sink.stdout {} } }")
        let any = try LuaflowBinary.run(["run", "pipeline.lua", "--metrics", "127.0.0.1:0"], in: dir)
        #expect(any.exitCode == 0)
        let line = try #require(any.stderr.split(separator: "\n").first { $0.contains("serving metrics at http://127.0.0.1:") }, "\(any.stderr)")
        let port = Int(line.split(separator: ":").last?.split(separator: "/").first ?? "")
        #expect((port ?? 0) > 0, "\(line)")

        let (fd, busy) = try Self.boundSocket(listening: true)
        defer { close(fd) }
        let refused = try LuaflowBinary.run(["run", "pipeline.lua", "--metrics", "127.0.0.1:\(busy)"], in: dir)
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("cannot serve metrics on 127.0.0.1:\(busy): the port is already in use"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("errno") && !refused.stderr.contains("descriptor:"), "\(refused.stderr)")
    }

    enum Collector: CaseIterable { case refusing, silent, answering404 }

    @Test(arguments: Collector.allCases)
    func aCollectorThatCannotBeReachedIsNamedWithTheReasonAndHoldsTheRunOnlySeconds(_ collector: Collector) throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", "network { { source.list { items = { { a = 1 } } }, sink.stdout {} } }")
        let (fd, port) = try Self.boundSocket(listening: collector == .silent)
        defer { close(fd) }
        let server = collector == .answering404 ? try TestHTTPServer.start(standardRoutes: false) : nil
        defer { server?.stop() }
        let base = server?.baseURL ?? "http://127.0.0.1:\(port)"
        let started = Date()
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--otlp", base], in: dir)
        let seconds = Date().timeIntervalSince(started)
        #expect(result.exitCode == 0, "telemetry that does not arrive does not fail the run: \(result.stderr)")
        let reason = collector == .answering404 ? "the collector answered HTTP 404 Not Found" : "total timeout (3 s) expired"
        for path in ["/v1/traces", "/v1/metrics"] {
            #expect(result.stderr.contains("did not reach \(base)\(path): \(reason)"), "\(result.stderr)")
        }
        #expect(!result.stderr.contains("errno") && !result.stderr.contains("Failed to export"), "\(result.stderr)")
        // The exports' own timeouts end them; the ten-second wait for the collector is gone.
        #expect(seconds < 9.5, "the run took \(seconds) s")
    }

    // MARK: Helpers

    /// A port nothing listens on right now.
    static func freePort() throws -> Int {
        let (fd, port) = try boundSocket(listening: false)
        close(fd)
        return port
    }

    /// A socket bound to a free port of 127.0.0.1 (and listening on it, if `listening`), and the port.
    static func boundSocket(listening: Bool) throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && (!listening || listen(fd, 1) == 0) && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRNOTAVAIL) }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Runs the binary on a thread of its own (not the cooperative pool) while the test goes on.
    /// Runs luaflow on a thread of its own; with `until`, sends it SIGINT once `until` holds.
    static func runInBackground(_ args: [String], in dir: URL,
                                until: (@Sendable () -> Bool)? = nil) -> Task<LuaflowBinary.Result, any Error> {
        Task {
            try await onThread {
                try LuaflowBinary.run(args, in: dir, signal: until.map { _ in (SIGINT, 0) }, ready: until)
            }
        }
    }

    static func get(_ url: String) async throws -> String {
        let request = URLRequest(url: URL(string: url)!, timeoutInterval: 2)
        let (data, response) = try await URLSession.shared.data(for: request)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw URLError(.badServerResponse) }
        return String(decoding: data, as: UTF8.self)
    }

    /// Prometheus text format: `name{labels} value` per sample.
    static func parse(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    /// The `--log-format json` summary, per node: in, out, dropped, errors, requests.
    static func summary(_ stderr: String) throws -> [String: [String: Double]] {
        let line = try #require(stderr.split(separator: "\n").last { $0.contains(#""summary":"#) })
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let rows = object?["summary"] as? [[String: Any]] ?? []
        return Dictionary(rows.map { row in
            (row["node"] as? String ?? "", ["in", "out", "dropped", "errors", "requests"].reduce(into: [String: Double]()) {
                $0[$1] = (row[$1] as? NSNumber)?.doubleValue
            })
        }) { $1 }
    }
}
