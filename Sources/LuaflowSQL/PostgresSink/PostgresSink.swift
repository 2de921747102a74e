import Foundation
import LuaflowCore

/// `sink.postgres { dsn = "env:PG_DSN", table = "users", schema = "raw", ... }`.
enum PostgresSink {
    static func runtime(_ sql: SQLRuntime) -> BuiltinRuntime {
        BuiltinRuntime(schema: BundledLua.sinkPostgres.source + "\n" + BundledLua.tableLoading.source) { node in
            let options = try TableLoadOptions(node)
            let config = try JSONDecoder().decode(Config.self, from: Data(node.configJSON))
            let dsn: PostgresDSN
            do { dsn = try PostgresDSN(config.dsn) } catch let error as SQLError { throw error.pipelineError(node, phase: "config") }
            let schema = config.schema ?? "public"
            if let why = SQLIdentifier.problem(schema, dialect: .postgres) {
                throw PipelineError(.config, node: node.spec.name, phase: "config",
                                    "\(node.spec.what): schema \(SQLIdentifier.display(schema)) cannot be a name: \(why) (\(node.declaredAt))")
            }
            let session = PostgresSession(dsn: dsn, runtime: sql)
            return try TableSinkRuntime(node, options: options,
                                        destination: PostgresDestination(session: session, schema: schema, options: options))
        }
    }

    private struct Config: Decodable {
        var dsn: String
        var schema: String?
    }
}
