import ArgumentParser
import Foundation
import LuaflowCore
import LuaflowHTTP

/// `luaflow spec connector.lua` or `luaflow spec source.http`: the connector's configuration as
/// JSON Schema.
struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "Print a connector's configuration as JSON Schema (draft 2020-12).",
        discussion: """
        The schema is generated from the connector's `schema` table, the one its config is \
        validated against: each setting's type, default, range, allowed values and description; \
        nested tables (paginator, auth, retry...) as objects; secrets marked "writeOnly": true; \
        unknown settings not allowed. The common options every node accepts are included and \
        marked "x-luaflow-common": true. A script's top level runs to define its schema (its \
        config is empty then); nothing else of it is called.

        Examples:
          luaflow spec connectors/users.lua
          luaflow spec source.http
        """
    )

    @Argument(help: ArgumentHelp("A connector script (.lua) or a built-in: "
                                 + InstalledExtensions.all().connectorNames.joined(separator: ", ") + "."))
    var connector: String

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let schema = try logging.reportingFailures {
            try ConnectorSpec.jsonSchema(of: connector, extensions: InstalledExtensions.all())
        }
        print(ConnectorSpec.text(schema))
    }
}
