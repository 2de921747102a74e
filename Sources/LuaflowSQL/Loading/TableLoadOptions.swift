import Foundation
import LuaflowCore

/// The options both database sinks share (`lua/table_loading.lua`), read from the checked config.
struct TableLoadOptions: Sendable {
    enum Disposition: String, Sendable {
        case append, replace, merge
    }

    var table: String
    var disposition: Disposition
    var primaryKey: [String]
    var dedupSort: String?
    var declared: [TableColumn]
    var contract: SchemaContract
    var inferTimestamps: Bool
    /// Fields `dedup_sort` or `columns` name that may be absent from the first batch.
    var optionalFields: [String]
    /// The node as the user declared it, for errors: `sink.sqlite (pipeline.lua:4)`.
    var declaredAt: String

    private struct Config: Decodable {
        struct Declared: Decodable {
            var name: String
            var type: String
        }

        var table: String
        var write_disposition: String?
        var primary_key: [String]?
        var dedup_sort: String?
        var columns: [Declared]?
        var schema_contract: String?
        var infer_timestamps: Bool?
        var optional_fields: [String]?
    }

    /// Reads the options of `node`, checked against its schema already; throws a config error
    /// for what the schema cannot say (merge without primary_key...).
    init(_ node: BuiltinNode) throws {
        let config = try JSONDecoder().decode(Config.self, from: Data(node.configJSON))
        table = config.table
        disposition = Disposition(rawValue: config.write_disposition ?? "append") ?? .append
        primaryKey = config.primary_key ?? []
        dedupSort = config.dedup_sort
        declared = (config.columns ?? []).map { TableColumn(name: $0.name, type: ColumnType(rawValue: $0.type) ?? .text) }
        contract = SchemaContract(rawValue: config.schema_contract ?? "evolve") ?? .evolve
        inferTimestamps = config.infer_timestamps ?? false
        optionalFields = config.optional_fields ?? []
        declaredAt = "\(node.spec.what) (\(node.declaredAt))"
        func problem(_ message: String) -> PipelineError {
            PipelineError(.config, node: node.spec.name, phase: "config", "\(node.spec.what): \(message) (\(node.declaredAt))")
        }
        if disposition == .merge, primaryKey.isEmpty {
            throw problem("write_disposition = \"merge\" needs primary_key, the fields that identify a row, e.g. primary_key = { \"id\" }")
        }
        if disposition != .merge, !primaryKey.isEmpty || dedupSort != nil {
            throw problem("primary_key and dedup_sort apply to write_disposition = \"merge\" only")
        }
        if contract == .discardRow, node.spec.options.onError == .fail {
            throw problem("schema_contract = \"discard_row\" hands records to on_error; set on_error = \"dead_letter\" (or \"skip\")")
        }
        if let reserved = ([table] + declared.map(\.name)).first(where: { $0.hasPrefix("_luaflow") }) {
            throw problem("names starting with _luaflow are the sink's own (\(reserved))")
        }
    }

    /// Fails with a config error naming `node` when a name the config gives (the table, its
    /// helper tables, declared columns, primary key, dedup_sort) cannot be a name in `dialect`.
    func checkNames(for dialect: SQLDialect, node: BuiltinNode) throws {
        var names = [("table", table)] + declared.map { ("columns", $0.name) } + primaryKey.map { ("primary_key", $0) }
        if let dedupSort { names.append(("dedup_sort", dedupSort)) }
        switch disposition {
        case .replace: names.append(("table (its shadow table \(shadowTable))", shadowTable))
        case .merge: names.append(("table (its staging table \(stagingTable))", stagingTable))
        case .append: break
        }
        for (setting, name) in names {
            if let why = SQLIdentifier.problem(name, dialect: dialect) {
                throw PipelineError(.config, node: node.spec.name, phase: "config",
                                    "\(node.spec.what): \(setting) \(SQLIdentifier.display(name)) cannot be a name: \(why) (\(node.declaredAt))")
            }
        }
    }

    /// Where a `merge` load's rows wait for the upsert (a temporary table).
    var stagingTable: String { "_luaflow_stage_" + table }

    /// Where a `replace` load goes until the run publishes it.
    var shadowTable: String { "_luaflow_new_" + table }

    /// The table the rows of a load go into.
    var loadingTable: String { disposition == .replace ? shadowTable : table }
}
