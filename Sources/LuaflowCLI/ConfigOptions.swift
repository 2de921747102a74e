import ArgumentParser
import LuaflowCore

/// `--config` and `--set`, shared by `run` and `check`: a config file's tables are merged into
/// the node configs of pipeline.lua, then each `--set` applies (the last word wins).
struct ConfigOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp("A YAML or JSON file mapping node names to config settings.", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a node's config: node.key=value (value parsed as JSON when it is, else a string).", valueName: "node.key=value"))
    var overrides: [String] = []

    func validate() throws {
        for o in overrides where PipelineLoader.Override(o) == nil {
            throw ValidationError("--set expects node.key=value, got '\(o)'")
        }
    }

    /// Evaluates pipeline.lua with the config file and overrides applied.
    func load(_ pipeline: String) throws -> PipelineSpec {
        let layers = try configFile.map(ConfigFile.load) ?? Array("{}".utf8)
        var spec = try PipelineLoader.load(file: pipeline, overrides: overrides.compactMap(PipelineLoader.Override.init), nodeConfigs: layers)
        if let configFile { spec.protectedFiles.protect(configFile) }
        return spec
    }
}
