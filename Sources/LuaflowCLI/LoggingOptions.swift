import ArgumentParser
import Foundation
import Logging
import LuaflowCore
import LuaflowHTTP

/// `--log-format`, `-v` and `-q`, shared by the commands that run pipelines.
struct LoggingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Log and summary format: text or json.")
    var logFormat: Format = .text

    @Flag(name: [.customShort("v"), .customLong("verbose")],
          help: "More output: debug logs, Lua tracebacks and the metrics scripts recorded; -vv adds the HTTP client's own logs.")
    var verbosity: Int

    var verbose: Bool { verbosity > 0 }

    @Flag(name: .shortAndLong, help: "Less output: only warnings and errors, no summary.")
    var quiet = false

    var level: Logger.Level { verbose ? .debug : quiet ? .warning : .info }

    func bootstrap() {
        let format = logFormat
        let level = level
        let clientLevel: Logger.Level = verbosity > 1 ? .trace : .warning
        LoggingSystem.bootstrap { label in
            var handler = StderrLogHandler(label: label, json: format == .json)
            handler.logLevel = label == HTTPRuntime.clientLogLabel ? clientLevel : level
            return handler
        }
    }

    func printSummary(_ summary: RunSummary) {
        guard !quiet else { return }
        StderrLogHandler.write(logFormat == .json ? summary.json() : summary.table())
        if verbose, logFormat != .json, let metrics = summary.metricsTable() { StderrLogHandler.write(metrics) }
    }

    /// Runs `body`; a pipeline error is reported (message, tracebacks with -v) and becomes its exit status.
    func reportingFailures<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineErrors {
            report(error.description, tracebacks: error.errors.compactMap(\.traceback))
            throw ExitCode(error.exitCode)
        } catch let error as PipelineError {
            report(error.description, tracebacks: [error.traceback].compactMap { $0 })
            throw ExitCode(error.exitCode)
        }
    }

    func report(_ message: String, tracebacks: [String]) {
        if logFormat == .json {
            let object = ["level": "error", "message": message]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            StderrLogHandler.write(String(decoding: data, as: UTF8.self))
            return
        }
        var text = "error: " + message
        if verbose {
            for t in tracebacks { text += "\nstack traceback:\n" + Redactor.shared.redact(t) }
        }
        StderrLogHandler.write(text)
    }
}
