import Logging
import LuaflowCore
import LuaflowHTTP
import NIOHTTP1

/// swift-otel's diagnostics in luaflow's words: an export that failed names where it went and why
/// (`OpenTelemetry: spans did not reach http://collector:4318/v1/traces: total timeout (3 s)
/// expired`). Keeps the last reason for the end-of-run warning.
struct OTLPDiagnostics: LogHandler {
    private var target: any LogHandler
    private let endpoints: (traces: String, metrics: String)
    private let timeout: Double
    /// The last failure's endpoint and reason.
    let lastFailure: Locked<String?>

    init(target: any LogHandler, endpoints: (traces: String, metrics: String), timeout: Duration, lastFailure: Locked<String?>) {
        self.target = target
        self.endpoints = endpoints
        self.timeout = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        self.lastFailure = lastFailure
    }

    var logLevel: Logger.Level {
        get { target.logLevel }
        set { target.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { target.metadata }
        set { target.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { target[metadataKey: key] }
        set { target[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        guard let error = event.error else { return target.log(event: event) }
        let text = event.message.description
        let what: String, endpoint: String
        if text.contains("metrics") {
            (what, endpoint) = ("metrics", endpoints.metrics)
        } else if text.contains("batch") || text.contains("flush") {
            (what, endpoint) = ("spans", endpoints.traces)
        } else {
            return target.log(event: event)
        }
        let failure = "\(endpoint): \(reason(error))"
        lastFailure.withLock { $0 = failure }
        var plain = event
        plain.message = "OpenTelemetry: \(what) did not reach \(failure)"
        plain.error = nil
        target.log(event: plain)
    }

    /// The failure in plain words: the HTTP client's errors as luaflow's own HTTP errors say them,
    /// a collector's error status, or swift-otel's own timeout.
    private func reason(_ error: any Error) -> String {
        switch String(describing: type(of: error)) {
        case "TimeoutError":
            return TransportErrorClassifier.totalTimeoutExpired(timeout)
        case "OTLPHTTPExporterError":
            // `requestFailed(HTTPResponseStatus)`: the one case that carries a status.
            let status = Mirror(reflecting: error).children.first?.value as? HTTPResponseStatus
            return status.map { "the collector answered HTTP \($0)" } ?? "\(error)"
        default:
            let timeouts = TimeoutConfig(connect: timeout, read: timeout, total: timeout)
            return TransportErrorClassifier.reason(for: error, timeouts: timeouts)
        }
    }
}
