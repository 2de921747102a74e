import ArgumentParser
import Foundation
import LuaflowCore
import LuaflowHTTP

/// `luaflow discover connector.lua`: list a source's streams and infer a schema for each.
struct DiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "List a source connector's streams and infer a JSON Schema from a sample of each.",
        discussion: """
        The streams are what the script's streams() returns (names, or tables with a name field); \
        a script without streams() has one stream named after the file. Each stream is read by \
        loading the script with config.stream set to the stream's name, then calling get() or \
        run() as `luaflow run` does, for the first N records. A database source named instead of \
        a script (source.postgres, source.sqlite) lists its tables and their columns.

        Examples:
          luaflow discover connectors/users.lua --set base_url=https://api.example.com
          luaflow discover connectors/users.lua --config users.yaml --sample 500 --json
          luaflow discover source.postgres --set dsn=env:PG_DSN --set schema=sales
        """
    )

    @Argument(help: "The source connector script, or a database source (source.postgres, source.sqlite).")
    var connector: String

    @Option(name: .customLong("config"), help: ArgumentHelp("A YAML or JSON file with the connector's config settings.", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set a config key: key=value (value parsed as JSON when it is, else a string).", valueName: "key=value"))
    var sets: [String] = []

    @Option(help: ArgumentHelp("Records to sample per stream.", valueName: "n"))
    var sample = 100

    @Flag(help: "Print the streams and schemas as JSON.")
    var json = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        for s in sets where !(s.firstIndex(of: "=").map { $0 > s.startIndex } ?? false) {
            throw ValidationError("--set expects key=value, got '\(s)'")
        }
        if sample < 1 { throw ValidationError("--sample must be at least 1") }
    }

    func run() throws {
        logging.bootstrap()
        let streams = try logging.reportingFailures { () -> [DiscoveredStream] in
            let pairs = sets.map { s -> (key: String, value: String) in
                let eq = s.firstIndex(of: "=")!
                return (String(s[..<eq]), String(s[s.index(after: eq)...]))
            }
            return try ConnectorDiscovery.discover(script: connector, configFile: try configFile.map(ConfigFile.load) ?? Array("{}".utf8),
                                                      sets: pairs, sample: sample, extensions: InstalledExtensions.all())
        }
        print(Redactor.shared.redact(json ? StreamReport.json(streams) : StreamReport.text(streams)))
    }
}
