import ArgumentParser

@main
struct LuaflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "luaflow",
        abstract: "Run data pipelines whose sources, transforms and sinks are Lua scripts.",
        discussion: """
        A pipeline.lua wires Lua scripts and built-in connectors into a network; luaflow runs each
        node on its own thread with bounded queues between them.

        Examples:
          luaflow run examples/quickstart/pipeline.lua
          luaflow run pipeline.lua --set users.page_size=50 --limit 100
        """,
        subcommands: [RunCommand.self]
    )
}
