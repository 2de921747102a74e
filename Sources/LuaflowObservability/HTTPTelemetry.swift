import Foundation
import LuaflowHTTP
import Tracing

/// Follows every HTTP request for the metrics (per host: requests by status class, retries,
/// rate-limit waits, latency) and, with tracing on, gives each request a span under its node's
/// span, with retries as events and the span's trace context sent as `traceparent`.
public struct HTTPTelemetry<T: Tracer>: HTTPObserver {
    let metrics: RunMetrics?
    let tracer: RunTracer<T>?

    public init(metrics: RunMetrics?, tracer: RunTracer<T>?) {
        self.metrics = metrics
        self.tracer = tracer
    }

    public func requestStarted(node: String?, method: String, url: String) -> any HTTPRequestObservation {
        guard let tracer else { return Observation<T>(metrics: metrics, span: nil, headers: []) }
        let span = tracer.startSpan("HTTP \(method)", parent: tracer.context(of: node), kind: .client)
        span.attributes["http.request.method"] = method
        span.attributes["url.full"] = TelemetryRedaction.value(url)
        if let node { span.attributes["luaflow.node"] = node }
        return Observation<T>(metrics: metrics, span: span, headers: tracer.headers(for: span.context))
    }

    struct Observation<S: Tracer>: HTTPRequestObservation, @unchecked Sendable {
        let metrics: RunMetrics?
        let span: S.Span?
        let headers: [(String, String)]

        func rateLimited(host: String, seconds: Double) {
            metrics?.httpRateLimited(host: host, seconds: seconds)
            span?.addEvent(SpanEvent(name: "rate_limited", attributes: ["luaflow.wait_seconds": .double(seconds)]))
        }

        func attemptFinished(host: String, status: Int?, seconds: Double, bytes: Int) {
            metrics?.httpAttempt(host: host, status: status, seconds: seconds, bytes: bytes)
        }

        func retrying(host: String, attempt: Int, reason: String, delay: Double) {
            metrics?.httpRetry(host: host)
            span?.addEvent(SpanEvent(name: "retry", attributes: [
                "luaflow.retry.attempt": .int64(Int64(attempt)), "luaflow.retry.reason": .string(TelemetryRedaction.value(reason)),
                "luaflow.retry.delay_seconds": .double(delay),
            ]))
        }

        func finished(status: Int?, attempts: Int, error: String?) {
            guard let span else { return }
            if let status { span.attributes["http.response.status_code"] = status }
            span.attributes["luaflow.http.attempts"] = attempts
            if let error {
                span.setStatus(SpanStatus(code: .error, message: TelemetryRedaction.value(error)))
            }
            span.end()
        }
    }
}
