import Foundation
import LuaflowCore

/// The settings of `source.postgres` and `source.sqlite` (their schemas are
/// `lua/source.postgres.lua` and `lua/source.sqlite.lua`), decoded from the checked config.
struct SQLSourceConfig: Decodable {
    /// A cursor value: a string (timestamps, dates) or a number.
    enum Scalar: Decodable, Equatable {
        case text(String)
        case number(Double)
        case integer(Int64)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int64.self) { self = .integer(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else { self = .text(try container.decode(String.self)) }
        }

        var value: SQLValue {
            switch self {
            case .text(let text): return .text(text)
            case .number(let number): return .double(number)
            case .integer(let integer): return .integer(integer)
            }
        }
    }

    struct Incremental: Decodable {
        var cursor_field: String
        var initial_value: Scalar?
    }

    var dsn: String?
    var path: String?
    var table: String?
    var schema: String?
    var query: String?
    var incremental: Incremental?
    var numeric: String?
    var fetch_size: Int?

    /// The config of `node`, with `query` and `table` checked: exactly one of them.
    static func load(_ node: BuiltinNode) throws -> SQLSourceConfig {
        let config = try JSONDecoder().decode(SQLSourceConfig.self, from: Data(node.configJSON))
        func problem(_ text: String) -> PipelineError {
            PipelineError(.config, node: node.spec.name, phase: "config", "\(text) (\(node.spec.what) declared at \(node.declaredAt))")
        }
        switch (config.query, config.table) {
        case (nil, nil): throw problem("needs one of query, table")
        case (.some, .some): throw problem("takes query or table, not both")
        default: break
        }
        if config.query != nil, config.schema != nil { throw problem("schema goes with table, not with query") }
        if let query = config.query, config.incremental != nil, !query.contains(":cursor") {
            throw problem("an incremental query must compare the cursor with :cursor, e.g. where updated_at > :cursor order by updated_at")
        }
        if let query = config.query, query.contains(":cursor"), config.incremental?.initial_value == nil {
            throw problem("an incremental query needs incremental.initial_value (the :cursor of the first run)")
        }
        return config
    }
}
