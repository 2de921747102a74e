import Foundation
import Logging
import LuaflowCore
import OTel
import ServiceLifecycle

/// The OTLP/HTTP exporters of swift-otel: where traces and metrics go, and the background services
/// that batch and send them. Configured like any OpenTelemetry SDK (`OTEL_EXPORTER_OTLP_ENDPOINT`,
/// `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_SERVICE_NAME`, ...); `--otlp`
/// sets the endpoint when the environment does not.
enum OTLPExport {
    /// Whether to export: `--otlp` was given or the environment names an endpoint.
    static func enabled(endpoint: String?, environment: [String: String]) -> Bool {
        endpoint != nil || environment["OTEL_EXPORTER_OTLP_ENDPOINT"] != nil
            || environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] != nil
    }

    /// How long one export may take (`OTEL_EXPORTER_OTLP_TIMEOUT` and the export timeouts of the
    /// environment override it): a collector that does not answer costs the end of a run at most
    /// this for spans and again for metrics.
    static let exportTimeout: Duration = .seconds(3)

    /// The configuration before the environment's overrides: OTLP/HTTP with protobuf, the service
    /// named `luaflow`, metrics exported every `metricsInterval`, diagnostics logged through `logger`.
    static func configuration(endpoint: String?, logger: Logger, metricsInterval: Duration) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "luaflow"
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.exportInterval = metricsInterval
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        configuration.traces.otlpExporter.timeout = exportTimeout
        configuration.metrics.otlpExporter.timeout = exportTimeout
        configuration.traces.batchSpanProcessor.exportTimeout = exportTimeout
        configuration.metrics.exportTimeout = exportTimeout
        if let endpoint {
            let base = baseURL(endpoint)
            configuration.traces.otlpExporter.endpoint = base + "/v1/traces"
            configuration.metrics.otlpExporter.endpoint = base + "/v1/metrics"
        }
        return configuration
    }

    /// Where spans and metrics go, as the exporters resolve it: a signal's own variable, else the
    /// environment's base URL, else `--otlp`'s, else the SDK's default.
    static func endpoints(endpoint: String?, environment: [String: String]) -> (traces: String, metrics: String) {
        let base = baseURL(environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? endpoint ?? "http://localhost:4318")
        return (environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? base + "/v1/traces",
                environment["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"] ?? base + "/v1/metrics")
    }

    private static func baseURL(_ endpoint: String) -> String {
        endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
    }
}

/// Runs swift-otel's services (exporters, batch processors) on the concurrency runtime until
/// ``shutdown()``, which flushes what is left.
final class OTelServices: @unchecked Sendable {
    private let group: ServiceGroup
    private let done = DispatchSemaphore(value: 0)
    private let logger: Logger
    private let endpoints: (traces: String, metrics: String)
    private let lastFailure: Locked<String?>

    init(services: [any Service], logger: Logger, endpoints: (traces: String, metrics: String), lastFailure: Locked<String?>) {
        group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        self.logger = logger
        self.endpoints = endpoints
        self.lastFailure = lastFailure
        let group = self.group
        let done = self.done
        Task.detached {
            do { try await group.run() } catch { logger.warning("OpenTelemetry export stopped: \(error)") }
            done.signal()
        }
    }

    /// Flushes spans and metrics and stops the services, waiting as long as the final exports of
    /// both may take (and a second more); says so when they did not finish. For the CLI's main
    /// thread (never call it from the cooperative pool).
    func shutdown() {
        let group = self.group
        Task.detached { await group.triggerGracefulShutdown() }
        let seconds = 2 * OTLPExport.exportTimeout.components.seconds + 1
        guard done.wait(timeout: .now() + .seconds(Int(seconds))) == .timedOut else { return }
        let reason = lastFailure.withLock { $0 } ?? "\(endpoints.traces), \(endpoints.metrics): no answer"
        logger.warning("OpenTelemetry: the last spans and metrics of the run were not delivered within \(seconds) s (\(reason)); they are dropped")
    }
}
