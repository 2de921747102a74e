import ArgumentParser
import Foundation
import LuaflowCore
import LuaflowHTTP
import LuaflowObservability

/// `luaflow run pipeline.lua`: validate everything, run, print a summary.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a pipeline.",
        discussion: """
        Every script is loaded and every node's config is checked against its schema before any \
        record moves; all problems are reported together. Outputs of file sinks appear only when \
        the run succeeds. --limit N is a preview: every sink writes to .luaflow/preview/<pipeline>/ \
        instead of its output, table or endpoint, and the state is neither read nor changed. Progress is checkpointed in .luaflow/state.db beside the pipeline: a run \
        that failed, was interrupted or killed resumes from its last checkpoint, and incremental \
        sources fetch only what is new.

        SIGINT (Ctrl-C) or SIGTERM stops a run within a second: requests and retry sleeps are \
        cancelled, running scripts are interrupted, nothing is published, and progress up to the \
        last checkpoint is kept for the next run. A second signal exits at once.

        Exit status: 0 success (every source reached its end, every sink committed), 1 runtime \
        failure, 2 usage or config error, 130 interrupted by SIGINT, 143 stopped by SIGTERM.

        Examples:
          luaflow run examples/quickstart/pipeline.lua
          luaflow run pipeline.lua --set clean.min_age=21 --set users.csv.max_items=10
          luaflow run pipeline.lua --config prod.yaml --set users.page_size=50
          luaflow run pipeline.lua --limit 100 --log-format json -q
          luaflow run pipeline.lua --metrics 127.0.0.1:9464 --metrics-linger 30s
          OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 luaflow run pipeline.lua
        """
    )

    @Argument(help: "The pipeline file.")
    var pipeline: String

    @OptionGroup var config: ConfigOptions

    @Option(help: "Preview: stop every source after N records and write what the sinks would get to .luaflow/preview/<pipeline>/; nothing is published and the state is unchanged.")
    var limit: Int?

    @OptionGroup var state: StateLocationOptions

    @Flag(name: .customLong("full-refresh"), help: "Forget the pipeline's state first: no resume, incremental sources start from their initial value.")
    var fullRefresh = false

    @Option(name: .customLong("backfill"), help: ArgumentHelp("Read the range FROM..TO once (e.g. 2024-01-01..2024-03-01) with the sources that support it (source.http with incremental), without moving their live cursors.", valueName: "FROM..TO"))
    var backfill: String?

    @Flag(name: .customLong("no-fuse"), help: "Run every transform in its own Lua state and thread (for debugging; output is the same).")
    var noFuse = false

    @Flag(name: .customLong("no-progress"), help: "Do not show live progress (shown only when standard error is a terminal).")
    var noProgress = false

    @OptionGroup var telemetry: TelemetryOptions

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        if let backfill, BackfillRange(backfill) == nil {
            throw ValidationError("--backfill must be FROM..TO, such as 2024-01-01..2024-03-01, got '\(backfill)'")
        }
    }

    func run() throws {
        logging.bootstrap()
        let kept = limit == nil ? "progress up to the last checkpoint is kept for the next run" : "nothing was published"
        // On a terminal the notice first clears the line the terminal echoed ^C on.
        let clearLine = isatty(STDERR_FILENO) != 0 ? "\r\u{1B}[K" : ""
        Interrupt.installHandlers { "\(clearLine)second \($0): exiting at once; \(kept)\n" }
        try logging.reportingFailures {
            var spec = try config.load(pipeline)
            spec.protectedFiles.hide(state.path(for: spec))
            // A --limit run is a preview: its sinks write preview files instead of their
            // destinations, and it neither resumes nor moves the state on.
            let preview = limit == nil ? nil : PipelinePreview.redirect(&spec)
            try preview?.clear(in: spec)
            let graph = try PipelineGraph(spec)
            let stateOptions = limit == nil ? StateOptions(path: state.path(for: spec), fullRefresh: fullRefresh) : nil
            let exporters = try telemetry.start(pipeline: spec.display(spec.file))
            let http = exporters.map { HTTPRuntime(observer: $0.httpObserver) } ?? .shared
            defer {
                exporters?.finish()
                if http !== HTTPRuntime.shared { try? http.syncShutdown() }
            }
            let runner: PipelineRunner
            do {
                runner = try PipelineRunner(graph: graph, options: RunOptions(limit: limit, fuse: !noFuse, extensions: InstalledExtensions.all(http: http),
                                                                              state: stateOptions, observers: exporters?.runObservers ?? [],
                                                                              scriptMetrics: exporters?.scriptMetrics,
                                                                              backfill: backfill.flatMap(BackfillRange.init),
                                                                              deadLetterDirectory: preview.map { spec.directory + "/" + $0.directory }))
            } catch where Interrupt.requested {
                StderrLogHandler.write("interrupted by \(Interrupt.signalName) while loading the pipeline; nothing ran")
                throw ExitCode(Interrupt.exitStatus)
            }
            let progress = ProgressDisplay.enabled(noProgress: noProgress, quiet: logging.quiet) ? ProgressDisplay(stats: runner.stats) : nil
            let result = Result { try runner.run() }
            progress?.stop()
            let summary = try result.get()
            logging.printSummary(summary)
            if summary.interrupted {
                let saved = stateOptions != nil
                    ? "progress up to the last checkpoint is saved; run again to resume (or --full-refresh to start over)"
                    : "nothing was published"
                StderrLogHandler.write("interrupted by \(Interrupt.signalName): \(saved)")
                throw ExitCode(Interrupt.exitStatus)
            }
            if let preview, !preview.outputs.isEmpty { StderrLogHandler.write(Self.describe(preview, of: spec)) }
        }
    }

    /// Where a preview's records went (printed even with `-q`: nothing else says it).
    static func describe(_ preview: PipelinePreview, of spec: PipelineSpec) -> String {
        let rows = preview.outputs.map { ["  " + $0.node, "(\($0.what))", spec.display($0.path)] }
        return (["preview: nothing was published and the state is unchanged; what the sinks would have received:"]
            + TextTable.lines(rows)).joined(separator: "\n")
    }
}
