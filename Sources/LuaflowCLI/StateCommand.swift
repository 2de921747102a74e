import ArgumentParser
import Foundation
import LuaflowCore

/// `luaflow state show|reset pipeline.lua`: what a pipeline's state store holds.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Show or reset a pipeline's state (resume points and incremental cursors).",
        subcommands: [Show.self, Reset.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each source's cursor, resume point and counts, and how the last run ended.",
            discussion: "Example:\n  luaflow state show pipeline.lua --json")

        @Argument(help: "The pipeline file.") var pipeline: String
        @OptionGroup var location: StateLocationOptions
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var logging: LoggingOptions

        func run() throws {
            logging.bootstrap()
            try logging.reportingFailures {
                // Reading the state needs the pipeline's name and nodes, not its secrets.
                let spec = try PipelineLoader.load(file: pipeline, overrides: [], resolvingEnv: false)
                let report = try StateReport(store: location.open(for: spec))
                print(Redactor.shared.redact(json ? report.json() : report.table()))
            }
        }
    }

    struct Reset: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget the state of the whole pipeline or of one node: its next run starts from scratch.",
            discussion: "Examples:\n  luaflow state reset pipeline.lua\n  luaflow state reset pipeline.lua users")

        @Argument(help: "The pipeline file.") var pipeline: String
        @Argument(help: "Only this node (default: every node).") var node: String?
        @OptionGroup var location: StateLocationOptions
        @OptionGroup var logging: LoggingOptions

        func run() throws {
            logging.bootstrap()
            try logging.reportingFailures {
                // Forgetting state touches no source or sink: no secrets needed.
                let spec = try PipelineLoader.load(file: pipeline, overrides: [], resolvingEnv: false)
                if let node, !spec.nodes.contains(where: { $0.name == node }) {
                    throw PipelineError(.config, node: node, phase: "state",
                                        "no node named '\(node)' in \(pipeline); nodes: \(spec.nodes.map(\.name).joined(separator: ", "))")
                }
                let store = try location.open(for: spec)
                // Claimed like a run, so a run going on is never reset under its feet.
                let claim = try PipelineClaim(store)
                try store.reset(node: node, lease: claim.lease)
                print("reset the state of \(node.map { "node \($0)" } ?? "every node") of pipeline \(spec.name) in \(store.location)")
            }
        }
    }
}
