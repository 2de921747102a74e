import ArgumentParser
import Foundation
import Logging
import LuaflowHTTP
import LuaflowObservability

/// `--metrics`, `--metrics-linger` and `--otlp`: what a run exports while it runs.
struct TelemetryOptions: ParsableArguments {
    @Option(name: .customLong("metrics"),
            help: ArgumentHelp("Serve Prometheus metrics at http://HOST:PORT/metrics while the run lasts.", valueName: "host:port"))
    var metricsAddress: String?

    @Option(name: .customLong("metrics-linger"),
            help: ArgumentHelp("Keep /metrics up this long after the run, for a last scrape (30s, 500ms, 2m; default 0).",
                               valueName: "duration"))
    var linger: String?

    @Option(name: .customLong("otlp"),
            help: ArgumentHelp("Export traces and metrics over OTLP/HTTP to this base URL (OTEL_EXPORTER_OTLP_ENDPOINT does the same).",
                               valueName: "url"))
    var otlpEndpoint: String?

    func validate() throws {
        if let metricsAddress, Self.address(metricsAddress) == nil {
            throw ValidationError("--metrics expects host:port, e.g. 127.0.0.1:9464 (got '\(metricsAddress)')")
        }
        if let linger {
            guard Self.seconds(linger) != nil else { throw ValidationError("--metrics-linger expects a duration such as 30s, 500ms or 2m (got '\(linger)')") }
            guard metricsAddress != nil else { throw ValidationError("--metrics-linger needs --metrics") }
        }
        if let otlpEndpoint, URL(string: otlpEndpoint)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--otlp expects an http:// or https:// URL (got '\(otlpEndpoint)')")
        }
    }

    /// Starts the exporters asked for (nil when none is); a port already in use is a usage error.
    func start(pipeline: String) throws -> Telemetry? {
        let options = Telemetry.Options(metricsAddress: metricsAddress.flatMap(Self.address), linger: linger.flatMap(Self.seconds) ?? 0,
                                        otlpEndpoint: otlpEndpoint, pipeline: pipeline)
        let telemetry: Telemetry?
        do {
            telemetry = try Telemetry.start(options)
        } catch let error as HTTPListener.BindError {
            StderrLogHandler.write("error: cannot serve metrics on \(error.address): \(error.reason)")
            throw ExitCode(2)
        } catch {
            StderrLogHandler.write("error: cannot export metrics or traces: \(error)")
            throw ExitCode(2)
        }
        if let url = telemetry?.metricsURL { Logger(label: "luaflow.telemetry").info("serving metrics at \(url)") }
        return telemetry
    }

    /// `host:port` (`[::1]:9464` for IPv6); nil when malformed.
    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// `30s`, `500ms`, `2m`, or a number of seconds.
    static func seconds(_ text: String) -> Double? {
        for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0)] where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).flatMap { $0 >= 0 ? $0 * scale : nil }
        }
        return Double(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
