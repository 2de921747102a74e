import Logging

/// swift-otel's own diagnostics ("Failed to export metrics.") with the endpoint they are about in
/// front, so that a failing export says where it was going: every message becomes
/// `OTLP export to <endpoint>: <message>`, passed on to the handler of the logger it wraps.
struct OTLPDiagnostics: LogHandler {
    private var wrapped: any LogHandler
    let endpoint: String

    /// A logger writing through `logger`'s handler.
    static func logger(wrapping logger: Logger, endpoint: String) -> Logger {
        Logger(label: logger.label) { _ in OTLPDiagnostics(wrapped: logger.handler, endpoint: endpoint) }
    }

    private init(wrapped: any LogHandler, endpoint: String) {
        self.wrapped = wrapped
        self.endpoint = endpoint
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "OTLP export to \(endpoint): \(event.message)"
        wrapped.log(event: event)
    }
}
