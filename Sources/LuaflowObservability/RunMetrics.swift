import CoreMetrics
import Foundation
import LuaflowCore

/// The run's metrics on swift-metrics: node counters read from ``NodeStats`` snapshots when an
/// exporter asks (``refresh()``, on a scrape or before an export), never updated per record; run,
/// checkpoint and script metrics as they happen. `factory` decides where they go (Prometheus,
/// OTLP, or both).
public final class RunMetrics: RunObserver, ScriptMetricsForwarder, @unchecked Sendable {
    private let factory: any MetricsFactory
    private let lock = NSLock()
    private var nodes: [NodeStats] = []
    /// What the counters were last advanced to, per node.
    private var published: [String: Published] = [:]
    private var counters: [String: Counter] = [:]
    private var floatCounters: [String: FloatingPointCounter] = [:]
    private var gauges: [String: Gauge] = [:]
    private var recorders: [String: Recorder] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]
    private var ended = false

    private struct Published {
        var stats = NodeStats.Snapshot()
        var blockedSeconds = 0.0
    }

    public init(factory: any MetricsFactory) {
        self.factory = factory
        lock.withLock {
            gauge("luaflow_run_start_time_seconds").record(Date().timeIntervalSince1970)
            outcome("running")
        }
    }

    /// Advances the node counters to the nodes' current counts and sets the queue gauges.
    public func refresh() {
        lock.withLock {
            for node in nodes {
                let now = node.snapshot
                let queue = node.inputQueue
                var last = published[node.name] ?? Published()
                let labels = [("node", node.name)]
                advance("luaflow_node_records_in_total", labels, from: last.stats.recordsIn, to: now.recordsIn)
                advance("luaflow_node_records_out_total", labels, from: last.stats.recordsOut, to: now.recordsOut)
                advance("luaflow_node_records_dropped_total", labels, from: last.stats.dropped, to: now.dropped)
                advance("luaflow_node_errors_total", labels, from: last.stats.errors, to: now.errors)
                advance("luaflow_node_dead_lettered_total", labels, from: last.stats.deadLettered, to: now.deadLettered)
                advance("luaflow_node_batches_total", labels, from: last.stats.batches, to: now.batches)
                advance("luaflow_node_http_requests_total", labels, from: last.stats.requests, to: now.requests)
                advance("luaflow_node_http_retries_total", labels, from: last.stats.retries, to: now.retries)
                advance("luaflow_node_http_failures_total", labels, from: last.stats.requestFailures, to: now.requestFailures)
                advance("luaflow_node_bytes_read_total", labels, from: last.stats.bytesRead, to: now.bytesRead)
                advance("luaflow_node_bytes_written_total", labels, from: last.stats.bytesWritten, to: now.bytesWritten)
                advance("luaflow_node_lua_instructions_total", labels, from: last.stats.luaInstructions, to: now.luaInstructions)
                gauge("luaflow_node_lua_memory_bytes", labels).record(now.luaMemoryBytes)
                if let queue {
                    gauge("luaflow_node_queue_depth", labels).record(queue.depth)
                    let blocked = queue.blockedSeconds
                    if blocked > last.blockedSeconds {
                        floatCounter("luaflow_node_queue_blocked_seconds_total", labels).increment(by: blocked - last.blockedSeconds)
                        last.blockedSeconds = blocked
                    }
                } else if node.role != .source {
                    gauge("luaflow_node_queue_depth", labels).record(0)
                }
                last.stats = now
                published[node.name] = last
            }
        }
    }

    // MARK: RunObserver

    public func runStarted(stats: [NodeStats], resuming: Bool) {
        lock.withLock {
            nodes = stats
            gauge("luaflow_run_resumed").record(resuming ? 1 : 0)
        }
        refresh()
    }

    public func nodeStarted(_ node: String) {}

    public func nodeFinished(_ node: String, error: (any Error)?) {}

    public func checkpointCommitted(source: String, sequence: Int, lagSeconds: Double) {
        lock.withLock {
            counter("luaflow_checkpoints_committed_total", [("node", source)]).increment()
            gauge("luaflow_checkpoint_lag_seconds", [("node", source)]).record(lagSeconds)
        }
    }

    /// Only the first call counts.
    public func runFinished(_ outcome: RunStatus, seconds: Double) {
        guard lock.withLock({ () -> Bool in
            defer { ended = true }
            return !ended
        }) else { return }
        refresh()
        lock.withLock {
            gauge("luaflow_run_end_time_seconds").record(Date().timeIntervalSince1970)
            gauge("luaflow_run_duration_seconds").record(seconds)
            self.outcome(outcome.rawValue)
        }
    }

    // MARK: ScriptMetricsForwarder

    public func record(node: String, _ kind: ScriptMetrics.Kind, name: String, value: Double, labels: [(String, String)]) {
        let dimensions = [("node", node)] + labels.map { ($0.0, TelemetryRedaction.value($0.1)) }
        lock.withLock {
            switch kind {
            case .counter: floatCounter("luaflow_script_\(name)_total", dimensions).increment(by: value)
            case .gauge: gauge("luaflow_script_\(name)", dimensions).record(value)
            case .histogram: recorder("luaflow_script_\(name)", dimensions).record(value)
            }
        }
    }

    // MARK: HTTP

    /// One attempt to `host` ended with `status` (nil: no response) after `seconds`.
    func httpAttempt(host: String, status: Int?, seconds: Double, bytes: Int) {
        let labels = [("host", host)]
        let statusClass = status.map { "\($0 / 100)xx" } ?? "error"
        lock.withLock {
            counter("luaflow_http_requests_total", labels + [("status_class", statusClass)]).increment()
            timer("luaflow_http_request_duration_seconds", labels).recordNanoseconds(Int64(seconds * 1e9))
            if bytes > 0 { counter("luaflow_http_response_bytes_total", labels).increment(by: Int64(bytes)) }
        }
    }

    func httpRetry(host: String) {
        lock.withLock { counter("luaflow_http_retries_total", [("host", host)]).increment() }
    }

    func httpRateLimited(host: String, seconds: Double) {
        lock.withLock {
            counter("luaflow_http_rate_limit_waits_total", [("host", host)]).increment()
            floatCounter("luaflow_http_rate_limit_wait_seconds_total", [("host", host)]).increment(by: seconds)
        }
    }

    // MARK: Handles, created once per name and labels (call with the lock held)

    private func outcome(_ current: String) {
        for outcome in ["running", RunStatus.succeeded.rawValue, RunStatus.failed.rawValue, RunStatus.interrupted.rawValue] {
            gauge("luaflow_run_outcome", [("outcome", outcome)]).record(outcome == current ? 1 : 0)
        }
    }

    private func advance(_ name: String, _ labels: [(String, String)], from old: Int, to new: Int) {
        let handle = counter(name, labels)
        if new > old { handle.increment(by: Int64(new - old)) }
    }

    private func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + labels.map { "\u{1}\($0.0)=\($0.1)" }.joined()
    }

    private func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
        cached(\.counters, name, labels) { Counter(label: $0, dimensions: $1, factory: factory) }
    }

    private func floatCounter(_ name: String, _ labels: [(String, String)] = []) -> FloatingPointCounter {
        cached(\.floatCounters, name, labels) { FloatingPointCounter(label: $0, dimensions: $1, factory: factory) }
    }

    private func gauge(_ name: String, _ labels: [(String, String)] = []) -> Gauge {
        cached(\.gauges, name, labels) { Gauge(label: $0, dimensions: $1, factory: factory) }
    }

    private func timer(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Timer {
        cached(\.timers, name, labels) { CoreMetrics.Timer(label: $0, dimensions: $1, factory: factory) }
    }

    private func recorder(_ name: String, _ labels: [(String, String)]) -> Recorder {
        cached(\.recorders, name, labels) { Recorder(label: $0, dimensions: $1, aggregate: true, factory: factory) }
    }

    /// The metric `name` with `labels` from `store`, made with `make` the first time. Call under `lock`.
    private func cached<Metric>(_ store: ReferenceWritableKeyPath<RunMetrics, [String: Metric]>, _ name: String,
                                _ labels: [(String, String)], make: (String, [(String, String)]) -> Metric) -> Metric {
        let k = key(name, labels)
        if let existing = self[keyPath: store][k] { return existing }
        let made = make(name, labels)
        self[keyPath: store][k] = made
        return made
    }
}
