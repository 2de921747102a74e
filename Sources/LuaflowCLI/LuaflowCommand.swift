import ArgumentParser
import Foundation
import LuaflowCore

@main
struct LuaflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "luaflow",
        abstract: "Run data pipelines whose sources, transforms and sinks are Lua scripts.",
        discussion: """
        A pipeline.lua wires Lua scripts and built-in connectors into a network; luaflow runs each \
        node on its own thread with bounded queues between them.

        Examples:
          luaflow run examples/quickstart/pipeline.lua
          luaflow run pipeline.lua --set users.page_size=50 --limit 100
          luaflow test tests/
          luaflow templates
          luaflow new api-source github_issues
          luaflow check pipeline.lua --config prod.yaml
          luaflow spec source.http
          luaflow discover connectors/users.lua --sample 50
        """,
        version: LuaflowVersion.description,
        subcommands: [RunCommand.self, CheckCommand.self, SpecCommand.self, DiscoverCommand.self, TestCommand.self,
                      NewCommand.self, TemplatesCommand.self, StateCommand.self, RunsCommand.self]
    )

    /// Parses and runs, mapping usage errors to exit status 2 (ArgumentParser uses 64).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let status = code == .validationFailure ? 2 : code.rawValue
            if status != 0 && !(error is ExitCode) {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            } else if status == 0 {
                print(fullMessage(for: error))
            }
            Foundation.exit(status)
        }
    }
}
