import Foundation
import Logging
import LuaflowHTTP
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

    /// Where the export goes, for messages: `--otlp`, else the environment's endpoint.
    static func endpointName(_ endpoint: String?, environment: [String: String]) -> String {
        endpoint ?? environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? environment["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? "the configured endpoint"
    }

    /// The configuration before the environment's overrides: OTLP/HTTP with protobuf, the service
    /// named `luaflow`, metrics exported every `metricsInterval`, diagnostics logged through `logger`
    /// with the endpoint named (``OTLPDiagnostics``).
    static func configuration(endpoint: String?, environment: [String: String], logger: Logger, metricsInterval: Duration) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "luaflow"
        let name = URLRedactor.redact(endpointName(endpoint, environment: environment))
        configuration.diagnosticLogger = .custom(OTLPDiagnostics.logger(wrapping: logger, endpoint: name))
        configuration.diagnosticLogLevel = .warning
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.exportInterval = metricsInterval
        configuration.traces.batchSpanProcessor.scheduleDelay = .seconds(1)
        if let endpoint {
            let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
            configuration.traces.otlpExporter.endpoint = base + "/v1/traces"
            configuration.metrics.otlpExporter.endpoint = base + "/v1/metrics"
        }
        return configuration
    }
}

/// Runs swift-otel's services (exporters, batch processors) on the concurrency runtime until
/// ``shutdown()``, which flushes what is left.
final class OTelServices: @unchecked Sendable {
    private let group: ServiceGroup
    private let done = DispatchSemaphore(value: 0)

    init(services: [any Service], logger: Logger) {
        group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
        let group = self.group
        let done = self.done
        Task.detached {
            do { try await group.run() } catch { logger.warning("OpenTelemetry export stopped: \(error)") }
            done.signal()
        }
    }

    /// Flushes spans and metrics and stops the services; waits up to `timeout` seconds. For the
    /// CLI's main thread (never call it from the cooperative pool).
    func shutdown(timeout: Double) {
        let group = self.group
        Task.detached { await group.triggerGracefulShutdown() }
        _ = done.wait(timeout: .now() + timeout)
    }
}
