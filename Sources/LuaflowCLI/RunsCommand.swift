import ArgumentParser
import Foundation
import LuaflowCore

/// `luaflow runs pipeline.lua`: the pipeline's last runs, from its state store (which may hold
/// other pipelines of the directory too: they are named below the table).
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List a pipeline's last runs: start, duration, outcome, records per node, requests, retries, where each resumed.",
        discussion: """
        Every attempt is listed, newest first: a run that failed or was interrupted and then resumed \
        shows as two attempts, the second saying where it resumed. A run that is no longer going on \
        but never recorded its end was killed.

        Examples:
          luaflow runs pipeline.lua
          luaflow runs pipeline.lua --last 5 --json
        """
    )

    @Argument(help: "The pipeline file.") var pipeline: String
    @OptionGroup var location: StateLocationOptions
    @Option(help: "How many runs to list.") var last = 20
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if last < 1 { throw ValidationError("--last must be at least 1") }
    }

    func run() throws {
        logging.bootstrap()
        try logging.reportingFailures {
            // Reading the history needs the pipeline's name and nodes, not its secrets.
            let spec = try PipelineLoader.load(file: pipeline, overrides: [], resolvingEnv: false)
            let store = try location.open(for: spec)
            let report = RunHistoryReport(records: try store.history(limit: last),
                                          running: StateLock.isHeld(location: store.location, pipeline: store.pipeline),
                                          otherPipelines: try store.pipelines().filter { $0 != store.pipeline })
            print(Redactor.shared.redact(json ? report.json() : report.table()))
        }
    }
}
