import ArgumentParser
import LuaflowCore

/// `--state PATH`: where a pipeline keeps its state (default `.luaflow/state.db` beside it).
struct StateLocationOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp("The state store (default: .luaflow/state.db in the pipeline's directory).", valueName: "path"))
    var explicitPath: String?

    func path(for spec: PipelineSpec) -> String {
        explicitPath ?? SQLiteStateBackend.defaultPath(forPipelineIn: spec.directory)
    }

    /// The state of the pipeline `spec` declares, kept here.
    func open(for spec: PipelineSpec) throws -> any StateBackend {
        try openStateBackend(location: path(for: spec), for: spec)
    }
}
