import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LuaflowCore
import Prometheus
import Testing
@testable import LuaflowObservability

/// The node counters reach Prometheus as they are when scraped, advanced by what changed since the
/// last scrape (never counted twice); `/metrics` is served over HTTP.
@Suite struct RunMetricsTests {
    static func scrape(_ registry: PrometheusCollectorRegistry) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in registry.emitToString().split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        return values
    }

    @Test func refreshPublishesTheCurrentCountsOnce() {
        let registry = PrometheusCollectorRegistry()
        let metrics = RunMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let source = NodeStats(name: "users", role: .source)
        let sink = NodeStats(name: "out", role: .sink)
        metrics.runStarted(stats: [source, sink], resuming: false)
        source.update { $0.recordsOut = 10; $0.batches = 1 }
        sink.update { $0.recordsIn = 4; $0.errors = 1 }
        metrics.refresh()
        metrics.refresh()
        var values = Self.scrape(registry)
        #expect(values[#"luaflow_node_records_out_total{node="users"}"#] == 10)
        #expect(values[#"luaflow_node_batches_total{node="users"}"#] == 1)
        #expect(values[#"luaflow_node_records_in_total{node="out"}"#] == 4)
        #expect(values[#"luaflow_node_errors_total{node="out"}"#] == 1)
        #expect(values[#"luaflow_run_outcome{outcome="running"}"#] == 1)
        source.update { $0.recordsOut = 25 }
        metrics.checkpointCommitted(source: "users", sequence: 1, lagSeconds: 0.25)
        metrics.runFinished(.succeeded, seconds: 1.5)
        values = Self.scrape(registry)
        #expect(values[#"luaflow_node_records_out_total{node="users"}"#] == 25)
        #expect(values[#"luaflow_checkpoints_committed_total{node="users"}"#] == 1)
        #expect(values[#"luaflow_checkpoint_lag_seconds{node="users"}"#] == 0.25)
        #expect(values[#"luaflow_run_outcome{outcome="running"}"#] == 0)
        #expect(values[#"luaflow_run_outcome{outcome="succeeded"}"#] == 1)
        #expect(values["luaflow_run_duration_seconds"] == 1.5)
    }

    @Test func scriptLabelsAreRedacted() {
        Redactor.shared.add("label-s3cret-value")
        let registry = PrometheusCollectorRegistry()
        let metrics = RunMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.record(node: "n", .counter, name: "calls", value: 2, labels: [("key", "label-s3cret-value")])
        #expect(Self.scrape(registry)[#"luaflow_script_calls_total{node="n",key="***"}"#] == 2)
        #expect(!registry.emitToString().contains("label-s3cret-value"))
    }

    @Test func theServerAnswersMetricsAndNothingElse() async throws {
        let server = try MetricsServer(host: "127.0.0.1", port: 0) { Array("up 1\n".utf8) }
        defer { server.syncShutdown() }
        let base = "http://127.0.0.1:\(server.port)"
        let (body, response) = try await URLSession.shared.data(from: URL(string: base + "/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self) == "up 1\n")
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let (_, other) = try await URLSession.shared.data(from: URL(string: base + "/")!)
        #expect((other as? HTTPURLResponse)?.statusCode == 404)
    }
}
