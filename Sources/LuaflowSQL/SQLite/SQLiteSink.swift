import Foundation
import LuaflowCore

/// `sink.sqlite { path = "out/users.db", table = "users", ... }`.
enum SQLiteSink {
    static let runtime = BuiltinRuntime(schema: BundledLua.sinkSqlite.source + "\n" + BundledLua.tableLoading.source) { node in
        let options = try TableLoadOptions(node)
        let path = try config(node)
        let resolved = path.hasPrefix("/") ? path : node.pipeline.directory + "/" + path
        return try TableSinkRuntime(node, options: options, destination: SQLiteDestination(path: resolved, options: options))
    }

    private struct Config: Decodable { var path: String }

    private static func config(_ node: BuiltinNode) throws -> String {
        try JSONDecoder().decode(Config.self, from: Data(node.configJSON)).path
    }
}
