import ArgumentParser
import LuaflowCore

/// `--state PATH`: where a pipeline keeps its state (default `.luaflow/state.db` beside it).
struct StateLocationOptions: ParsableArguments {
    @Option(name: .customLong("state"), help: ArgumentHelp("The state store (default: .luaflow/state.db in the pipeline's directory).", valueName: "path"))
    var explicitPath: String?

    func path(for spec: PipelineSpec) -> String {
        explicitPath ?? StateStore.defaultPath(forPipelineIn: spec.directory)
    }
}
