import Foundation
import LuaflowCore
import Tracing

/// Spans of a run: one for the run, one per node under it, one per checkpoint under its source's
/// node, one per HTTP request under the node that made it (``HTTPTelemetry``).
public final class RunTracer<T: Tracer>: RunObserver, @unchecked Sendable {
    private let tracer: T
    private let run: T.Span
    private let lock = NSLock()
    private var nodeSpans: [String: T.Span] = [:]
    /// Contexts of node spans, kept after they end: the final checkpoint commits after its source ended.
    private var nodeContexts: [String: ServiceContext] = [:]
    private var stats: [String: NodeStats] = [:]
    private var ended = false

    /// Starts the run's span now (before the pipeline loads, so requests made while loading have a parent).
    public init(tracer: T, pipeline: String) {
        self.tracer = tracer
        run = tracer.startSpan("luaflow.run", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
        run.attributes["luaflow.pipeline"] = TelemetryRedaction.value(pipeline)
    }

    /// The context of `node`'s span (the run's span when the node has none yet or `node` is nil).
    func context(of node: String?) -> ServiceContext {
        lock.withLock { node.flatMap { nodeContexts[$0] } ?? run.context }
    }

    func startSpan(_ name: String, parent: ServiceContext, kind: SpanKind) -> T.Span {
        tracer.startSpan(name, context: parent, ofKind: kind, at: DefaultTracerClock.now)
    }

    /// Writes `context`'s trace context (`traceparent`, `tracestate`) as HTTP headers.
    func headers(for context: ServiceContext) -> [(String, String)] {
        var headers: [(String, String)] = []
        tracer.inject(context, into: &headers, using: HeaderInjector())
        return headers
    }

    public func runStarted(stats: [NodeStats], resuming: Bool) {
        lock.withLock { self.stats = Dictionary(stats.map { ($0.name, $0) }) { $1 } }
        run.attributes["luaflow.resumed"] = resuming
    }

    public func nodeStarted(_ node: String) {
        let span = tracer.startSpan("luaflow.node", context: run.context, ofKind: .internal, at: DefaultTracerClock.now)
        span.attributes["luaflow.node"] = node
        lock.withLock {
            nodeSpans[node] = span
            nodeContexts[node] = span.context
        }
    }

    public func nodeFinished(_ node: String, error: (any Error)?) {
        guard let found = lock.withLock({ nodeSpans.removeValue(forKey: node).map { ($0, self.stats[node]) } }) else { return }
        let (span, stats) = found
        if let stats {
            let s = stats.snapshot
            span.attributes["luaflow.node.kind"] = stats.role.rawValue
            span.attributes["luaflow.records_in"] = s.recordsIn
            span.attributes["luaflow.records_out"] = s.recordsOut
            span.attributes["luaflow.errors"] = s.errors
            span.attributes["luaflow.dead_lettered"] = s.deadLettered
        }
        if let error {
            span.recordError(TelemetryError(error))
            span.setStatus(SpanStatus(code: .error, message: TelemetryRedaction.value("\(error)")))
        }
        span.end()
    }

    public func checkpointCommitted(source: String, sequence: Int, lagSeconds: Double) {
        let now = DefaultTracerClock.now.nanosecondsSinceEpoch
        let emitted = DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: now - min(now, UInt64(max(0, lagSeconds) * 1e9)))
        let span = tracer.startSpan("luaflow.checkpoint", context: context(of: source), ofKind: .internal, at: emitted)
        span.attributes["luaflow.node"] = source
        span.attributes["luaflow.checkpoint.sequence"] = sequence
        span.attributes["luaflow.checkpoint.lag_seconds"] = lagSeconds
        span.end()
    }

    /// Ends the open spans; only the first call counts.
    public func runFinished(_ outcome: RunStatus, seconds: Double) {
        let open: [T.Span]? = lock.withLock {
            guard !ended else { return nil }
            ended = true
            defer { nodeSpans.removeAll() }
            return Array(nodeSpans.values)
        }
        guard let open else { return }
        open.forEach { $0.end() }
        run.attributes["luaflow.outcome"] = outcome.rawValue
        if outcome == .failed { run.setStatus(SpanStatus(code: .error, message: "the run failed")) }
        run.end()
    }
}

/// Puts trace context into a list of HTTP headers.
struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.append((key, value))
    }
}

/// An error as spans record it: its redacted description.
struct TelemetryError: Error, CustomStringConvertible {
    let description: String
    init(_ error: any Error) {
        description = TelemetryRedaction.value("\(error)")
    }
}
