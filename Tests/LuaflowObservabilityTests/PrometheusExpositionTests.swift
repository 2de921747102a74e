import Foundation
import LuaflowCore
import Prometheus
import Testing
@testable import LuaflowObservability

/// `/metrics` in a stable shape: families sorted by name, each with `# HELP`, series sorted by
/// labels with a histogram's lines kept together; every exported metric documented.
@Suite struct PrometheusExpositionTests {
    /// The exposition of a run with two nodes, an HTTP host and a script histogram, made `times`
    /// times with the series created in a different order each time.
    private func expositions(times: Int) -> [String] {
        (0..<times).map { round in
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.defaultValueHistogramBuckets = ScriptMetrics.buckets
            let metrics = RunMetrics(factory: factory)
            var nodes = [NodeStats(name: "zeta", role: .source), NodeStats(name: "alpha", role: .sink)]
            if round % 2 == 1 { nodes.reverse() }
            metrics.runStarted(stats: nodes, resuming: false)
            for node in (round % 2 == 0 ? ["b", "a"] : ["a", "b"]) {
                metrics.record(node: node, .histogram, name: "size", value: 0.02, labels: [])
            }
            metrics.refresh()
            return String(decoding: PrometheusExposition.normalized(registry.emitToBuffer()), as: UTF8.self)
        }
    }

    @Test func theOrderIsStableAndEveryFamilyHasHelp() throws {
        let texts = expositions(times: 4)
        #expect(Set(texts).count == 1, "\(texts)")
        let lines = texts[0].split(separator: "\n")
        let types = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(types == types.sorted() && types.count > 5)
        for (i, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            #expect(i > 0 && lines[i - 1].hasPrefix("# HELP \(line.split(separator: " ")[2]) "), "\(line) has no HELP")
        }
        // A histogram's series: node a's buckets, sum and count, then node b's, buckets in ascending order.
        let script = lines.filter { $0.hasPrefix("luaflow_script_size") }
        let firstB = try #require(script.firstIndex { $0.contains(#"node="b""#) })
        #expect(script[..<firstB].allSatisfy { $0.contains(#"node="a""#) } && script[firstB...].allSatisfy { $0.contains(#"node="b""#) })
        #expect(script[0].contains(#"le="0.005""#) && script[firstB - 1].hasPrefix("luaflow_script_size_count"), "\(script)")
    }

    @Test func everyMetricWithHelpIsDocumentedAndTheOtherWayRound() throws {
        let docs = try String(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../docs/observability.md"), encoding: .utf8)
        let documented = Set(docs.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `luaflow_"), !line.hasPrefix("| `luaflow_script_") else { return nil }
            return String(line.dropFirst(3).prefix { $0 != "`" })
        })
        #expect(documented == Set(MetricHelp.text.keys))
    }
}
