import Testing
@testable import LuaflowCore

/// The Lua `metrics` module and what it records: counters add up, gauges keep the last value,
/// histograms count into buckets, timers measure, mistakes raise into the script with its line.
@Suite struct ScriptMetricsTests {
    private func workspace(_ transform: String, fuse: Bool = true) throws -> Workspace {
        let ws = try Workspace()
        try ws.write("in.jsonl", (1...6).map { #"{"n":\#($0)}"# }.joined(separator: "\n") + "\n")
        try ws.write("count.lua", transform)
        try ws.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl" }, transform("count.lua"), transform(function(r) return r end), sink.file { path = "out.jsonl" } } }
        """)
        return ws
    }

    @Test(arguments: [true, false]) func scriptsRecordCountersGaugesHistogramsAndTimers(fuse: Bool) throws {
        let ws = try workspace("""
        function run(r)
          local stop = metrics.timer("work", { step = "run" })
          metrics.counter("seen", nil, { parity = r.n % 2 == 0 and "even" or "odd" })
          metrics.counter("weight", r.n / 2)
          metrics.gauge("last", r.n)
          metrics.histogram("size", r.n / 100)
          local seconds = stop()
          assert(type(seconds) == "number" and seconds >= 0)
          return r
        end
        """)
        let summary = try ws.run(fuse: fuse)
        let series = try #require(summary.rows.first { $0.name == "count" }).metrics
        func value(_ name: String, _ labels: [String: String] = [:]) -> ScriptMetrics.Series? {
            series.first { $0.name == name && Dictionary(uniqueKeysWithValues: $0.labels) == labels }
        }
        #expect(value("seen", ["parity": "odd"])?.value == 3)
        #expect(value("seen", ["parity": "even"])?.value == 3)
        #expect(value("weight")?.value == 10.5)
        #expect(value("last")?.value == 6 && value("last")?.kind == .gauge)
        let size = try #require(value("size"))
        #expect(size.count == 6 && abs(size.value - 0.21) < 1e-9)
        // Buckets are cumulative: 0.01 holds 0.01; 0.025 holds up to 0.02; 0.05 holds all six.
        #expect(size.bucketCounts[1] == 1 && size.bucketCounts[2] == 2 && size.bucketCounts[3] == 5 && size.bucketCounts[4] == 6)
        #expect(value("work", ["step": "run"])?.count == 6)
        let table = try #require(summary.metricsTable())
        #expect(table.contains(#"count.seen{parity="odd"}"#) && table.contains("count 6, sum 0.21"))
    }

    @Test(arguments: [
        ("metrics.counter('bad name', 1)", "name 'bad name' must be letters"),
        ("metrics.counter('c', -1)", "a counter only goes up"),
        ("metrics.counter('c_total', 1)", "must not end in _total"),
        ("metrics.gauge('g', 'x')", "argument #2 must be a number"),
        ("metrics.gauge('g', 1, { node = 'x' })", "the label 'node' is set by the host"),
        ("metrics.gauge('g', 1, 'x')", "labels must be a table"),
        ("metrics.counter('k', 1); metrics.gauge('k', 1)", "metric 'k' is a counter, not a gauge"),
        ("for i = 1, 50 do metrics.counter('k', 1, { i = i }) end; metrics.gauge('k', 1, { i = 'x' })", "metric 'k' is a counter, not a gauge"),
        // Series are kept for the whole run: a label with a value per record must fail, not fill memory.
        ("for i = 1, 10001 do metrics.counter('by_id', 1, { id = i }) end", "would be series 10001 of this node; at most 10000"),
        ("local l = {}; for i = 1, 17 do l['l' .. i] = i end; metrics.gauge('g', 1, l)", "at most 16 labels are allowed, got 17"),
        ("metrics.gauge('g', 1, { url = string.rep('x', 1025) })", "label 'url' of metric 'g' is 1025 bytes long"),
    ])
    func mistakesRaiseIntoTheScript(call: String, message: String) throws {
        let ws = try workspace("""
        function run(r)
          \(call)
          return r
        end
        """)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains(message), "\(failure.message)")
        #expect(failure.message.contains("count.lua:2"), "\(failure.message)")
    }

    @Test func aForwarderReceivesEveryValueWithTheNode() throws {
        final class Collector: ScriptMetricsForwarder, @unchecked Sendable {
            var values: [String] = []
            func record(node: String, _ kind: ScriptMetrics.Kind, name: String, value: Double, labels: [(String, String)]) {
                values.append("\(node) \(kind.rawValue) \(name) \(value) \(labels.map { "\($0.0)=\($0.1)" }.joined(separator: ","))")
            }
        }
        let metrics = ScriptMetrics(node: "n")
        let collector = Collector()
        metrics.forwarder = collector
        try metrics.record(.counter, name: "c", value: 2, labels: [("b", "2"), ("a", "1")])
        #expect(collector.values == ["n counter c 2.0 a=1,b=2"])
    }
}
