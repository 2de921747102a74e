import CoreMetrics
import Foundation
import Logging
import LuaflowCore
import LuaflowHTTP
import OTel
import Prometheus
import ServiceLifecycle
import Tracing

/// Metrics and traces of one `luaflow run`: a Prometheus endpoint (`--metrics`), OTLP export
/// (`--otlp` or `OTEL_EXPORTER_OTLP_ENDPOINT`), or both. Hand ``runObservers``, ``httpObserver``
/// and ``scriptMetrics`` to the run, then call ``finish()`` after it.
public final class Telemetry: @unchecked Sendable {
    /// What to export.
    public struct Options: Sendable {
        /// `--metrics host:port`.
        public var metricsAddress: (host: String, port: Int)?
        /// Seconds `/metrics` stays up after the run (`--metrics-linger`).
        public var linger: Double = 0
        /// `--otlp URL`: the base URL of an OTLP/HTTP receiver.
        public var otlpEndpoint: String?
        /// The pipeline file, named on the run's span.
        public var pipeline: String

        public init(metricsAddress: (host: String, port: Int)?, linger: Double, otlpEndpoint: String?, pipeline: String) {
            self.metricsAddress = metricsAddress
            self.linger = linger
            self.otlpEndpoint = otlpEndpoint
            self.pipeline = pipeline
        }
    }

    public let runObservers: [any RunObserver]
    public let httpObserver: (any HTTPObserver)?
    public let scriptMetrics: (any ScriptMetricsForwarder)?
    /// The URL of `/metrics`, with the port the system picked for port 0 (nil without `--metrics`).
    public var metricsURL: String? { server?.url }

    private let options: Options
    private let server: MetricsServer?
    private let otel: OTelServices?
    private let refresher: DispatchSourceTimer?
    private let logger: Logger

    /// Starts what `options` and the environment ask for; nil when they ask for nothing.
    public static func start(_ options: Options, environment: [String: String] = ProcessInfo.processInfo.environment,
                             logger: Logger = Logger(label: "luaflow.telemetry")) throws -> Telemetry? {
        let otlp = OTLPExport.enabled(endpoint: options.otlpEndpoint, environment: environment)
        guard options.metricsAddress != nil || otlp else { return nil }
        guard otlp else { return try Telemetry(options, tracing: nil as NoOpTracer?, otlpMetrics: nil, otel: nil, logger: logger) }
        let endpoints = OTLPExport.endpoints(endpoint: options.otlpEndpoint, environment: environment)
        let lastFailure = Locked<String?>(nil)
        let diagnostics = Logger(label: logger.label) { _ in
            OTLPDiagnostics(target: logger.handler, endpoints: endpoints, timeout: OTLPExport.exportTimeout, lastFailure: lastFailure)
        }
        let configuration = OTLPExport.configuration(endpoint: options.otlpEndpoint, logger: diagnostics, metricsInterval: .seconds(5))
        let tracing = try OTel.makeTracingBackend(configuration: configuration)
        let metrics = try OTel.makeMetricsBackend(configuration: configuration)
        let export = OTelServices(services: [tracing.service, metrics.service], logger: logger, endpoints: endpoints, lastFailure: lastFailure)
        return try Telemetry(options, tracing: tracing.factory, otlpMetrics: metrics.factory, otel: export, logger: logger)
    }

    private init<T: Tracer>(_ options: Options, tracing: T?, otlpMetrics: (any MetricsFactory)?, otel: OTelServices?,
                            logger: Logger) throws {
        self.options = options
        self.logger = logger
        var factories: [any MetricsFactory] = []
        let registry = PrometheusCollectorRegistry()
        if options.metricsAddress != nil {
            var prometheus = PrometheusMetricsFactory(registry: registry)
            prometheus.defaultValueHistogramBuckets = ScriptMetrics.buckets
            factories.append(prometheus)
        }
        if let otlpMetrics { factories.append(otlpMetrics) }
        let metrics = RunMetrics(factory: factories.count == 1 ? factories[0] : MultiplexMetricsHandler(factories: factories))
        let tracer = tracing.map { RunTracer(tracer: $0, pipeline: options.pipeline) }
        runObservers = [metrics] + (tracer.map { [$0] } ?? [])
        httpObserver = HTTPTelemetry(metrics: metrics, tracer: tracer)
        scriptMetrics = metrics
        if let address = options.metricsAddress {
            server = try MetricsServer(host: address.host, port: address.port) {
                metrics.refresh()
                return PrometheusExposition.normalized(registry.emitToBuffer())
            }
        } else {
            server = nil
        }
        self.otel = otel
        if otlpMetrics != nil {
            // OTLP reads the swift-metrics values on its own schedule: keep the node counters current.
            let timer = DispatchSource.makeTimerSource(queue: .global())
            timer.schedule(deadline: .now() + 1, repeating: 1)
            timer.setEventHandler { metrics.refresh() }
            timer.resume()
            refresher = timer
        } else {
            refresher = nil
        }
    }

    /// After the run: keeps `/metrics` up for the linger time (a stop signal ends it early), then
    /// stops the server and flushes the OTLP exporters. Blocks the calling thread.
    /// A run that never started (it failed while loading) ends here as failed.
    public func finish() {
        runObservers.forEach { $0.runFinished(.failed, seconds: 0) }
        refresher?.cancel()
        if let server {
            let end = Date().addingTimeInterval(options.linger)
            while Date() < end && !Interrupt.requested { Thread.sleep(forTimeInterval: 0.05) }
            server.syncShutdown()
        }
        otel?.shutdown()
    }
}
