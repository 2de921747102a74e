import Foundation
import LuaBridge
import LuaflowCore

/// The Swift half of a node's `sql` module: the connections and queries its script opened,
/// reached from Lua through host functions. One per node state, used only by that state's
/// thread; the connections close when the state (and so this binding) goes away.
final class SQLLuaBinding {
    private enum Connection {
        case postgres(PostgresSession)
        case sqlite(SQLiteSession)

        var dialect: SQLDialect {
            if case .postgres = self { return .postgres }
            return .sqlite
        }
    }

    private let runtime: SQLRuntime
    private let clock: SQLCallClock
    private let directory: String
    /// The PostgreSQL DSNs the node's config holds: the only servers its script may reach.
    private let allowedDSNs: Set<String>
    private var connections: [Int: Connection] = [:]
    private var queries: [Int: (connection: Int, reader: any SQLRowReader)] = [:]
    /// The query still streaming on each PostgreSQL connection (a connection runs one at a time).
    private var streaming: [Int: Int] = [:]
    private var nextID = 0

    init(runtime: SQLRuntime, clock: SQLCallClock, directory: String, config: [UInt8]) {
        self.runtime = runtime
        self.clock = clock
        self.directory = directory
        allowedDSNs = Self.strings(in: (try? JSONSerialization.jsonObject(with: Data(config))) ?? [:]).filter(PostgresDSN.isDSN)
    }

    /// connect(target) -> id. `target` is a DSN (postgres://...) that the node's config holds, or a
    /// SQLite file the script's file access allowed (checked by the Lua side), relative to the
    /// pipeline's directory.
    func connect(_ args: HostArguments) throws -> [LuaValue] {
        let target = try args.string(1, function: "sql.connect")
        let connection: Connection
        if PostgresDSN.isDSN(target) {
            guard allowedDSNs.contains(target) else {
                throw HostFunctionError("sql.connect: a script connects only to the databases its node's config names (pass config.dsn)")
            }
            let session = PostgresSession(dsn: try PostgresDSN(target, environment: [:]), runtime: runtime)
            try charged { try session.connect() }
            connection = .postgres(session)
        } else {
            let path = target == ":memory:" || target.hasPrefix("/") ? target : directory + "/" + target
            connection = .sqlite(try SQLiteSession(path: path, displayPath: target, readOnly: false, runtime: runtime))
        }
        nextID += 1
        connections[nextID] = connection
        return [.integer(Int64(nextID))]
    }

    /// query(id, sql, params_json | nil) -> query id
    func query(_ args: HostArguments) throws -> [LuaValue] {
        let (id, connection) = try self.connection(args)
        let (sql, parameters) = try statement(args, dialect: connection.dialect)
        let reader: any SQLRowReader
        switch connection {
        case .postgres(let session): reader = PostgresRowReader(session: session, numeric: .number)
        case .sqlite(let session): reader = SQLiteRowReader(session: session)
        }
        try timed(connection) {
            try finishStreaming(on: id)
            try reader.start(sql: sql, parameters: parameters, cursorField: nil)
        }
        if case .postgres = connection { streaming[id] = nextID + 1 }
        nextID += 1
        queries[nextID] = (id, reader)
        return [.integer(Int64(nextID))]
    }

    /// fetch(query id, n) -> JSON array of up to n rows, or nil once the rows are done.
    func fetch(_ args: HostArguments) throws -> [LuaValue] {
        guard let index = args[1].integerValue.map(Int.init), let query = queries[index], let connection = connections[query.connection] else {
            return [.nil]
        }
        let count = max(1, min(10_000, args[2].integerValue.map(Int.init) ?? 500))
        var json: [UInt8] = [UInt8(ascii: "[")]
        var taken = 0
        try timed(connection) {
            // In steps, so that a chunk of wide rows stops near chunkBytes rather than at `count` rows.
            while taken < count, json.count < Self.chunkBytes {
                let rows = try query.reader.next(min(Self.rowsPerStep, count - taken))
                for row in rows {
                    if taken > 0 { json.append(UInt8(ascii: ",")) }
                    json += row.json
                    taken += 1
                }
                if rows.isEmpty { break }
            }
        }
        if taken == 0 {
            end(index)
            return [.nil]
        }
        json.append(UInt8(ascii: "]"))
        return [.bytes(json)]
    }

    /// The JSON a fetch hands to the script at most (plus the rows of its last step): what the
    /// host holds for a query at a time, whatever the width of its rows.
    static let chunkBytes = 4 << 20
    static let rowsPerStep = 64

    /// exec(id, sql, params_json | nil) -> rows affected | nil
    func exec(_ args: HostArguments) throws -> [LuaValue] {
        let (id, connection) = try self.connection(args)
        let (sql, parameters) = try statement(args, dialect: connection.dialect)
        return try timed(connection) {
            try finishStreaming(on: id)
            switch connection {
            case .postgres(let session):
                return [try session.execute(sql, parameters).map { .integer(Int64($0)) } ?? .nil]
            case .sqlite(let session):
                let changes = try session.access { db in
                    try db.execute(sql: sql, arguments: .init(parameters.map(SQLiteRowReader.databaseValue)))
                    return db.changesCount
                }
                return [.integer(Int64(changes))]
            }
        }
    }

    /// Runs `body`, the database work of one script call on `connection`: it stops once the
    /// call's time limit passes (failing with the time-limit error), and its time is charged to
    /// the call (``SQLCallClock``).
    private func timed<T>(_ connection: Connection, _ body: () throws -> T) throws -> T {
        let left = clock.timeLeft()
        return try charged {
            switch connection {
            case .sqlite(let session):
                session.deadline.arm(seconds: left)
                defer { session.deadline.disarm() }
                do { return try body() } catch where session.deadline.expired { throw clock.exceeded }
            case .postgres(let session):
                let started = DispatchTime.now().uptimeNanoseconds
                do { return try session.cancelling(after: left, body) } catch is PostgresDeadlinePassed { throw clock.exceeded } catch let error as SQLError
                    where error.sqlState == "57014" && left.map({ Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9 >= $0 }) == true {
                    // The server cancelled the statement after the call's time was up, but another
                    // canceller (the call's own time-limit watchdog) got there before the deadline's.
                    throw clock.exceeded
                }
            }
        }
    }

    /// Runs `body` and charges its time to the running call.
    private func charged<T>(_ body: () throws -> T) throws -> T {
        let started = DispatchTime.now().uptimeNanoseconds
        defer { clock.charge(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9) }
        return try body()
    }

    /// close(id): closes the connection and ends its queries.
    func close(_ args: HostArguments) throws -> [LuaValue] {
        guard let id = args[1].integerValue.map(Int.init), let connection = connections.removeValue(forKey: id) else { return [] }
        for (index, query) in queries where query.connection == id { end(index) }
        if case .postgres(let session) = connection { session.close() }
        return []
    }

    private func connection(_ args: HostArguments) throws -> (Int, Connection) {
        guard let id = args[1].integerValue.map(Int.init), let connection = connections[id] else {
            throw HostFunctionError("sql: the connection is closed (open one with sql.connect)")
        }
        return (id, connection)
    }

    /// The statement text and its parameters: a JSON array binds `$1`, `$2`... (`?` in SQLite)
    /// in order; a JSON object binds `:name`s. Each value comes typed from the Lua side
    /// (`["i", 5]`, `["f", 1.5]`, `["s", "x"]`, `["b", true]`, `["j", "{...}"]`, `["n"]`).
    private func statement(_ args: HostArguments, dialect: SQLDialect) throws -> (String, [SQLValue]) {
        let text = try args.string(2, function: "sql")
        guard let json = args.bytes(3) else { return (text, []) }
        switch try JSONSerialization.jsonObject(with: Data(json)) {
        case let list as [Any]:
            return (text, try list.map(Self.value))
        case let object as [String: Any]:
            let statement = SQLStatement(text, dialect: dialect)
            return (statement.sql, try statement.parameters(try object.mapValues(Self.value)))
        default:
            return (text, [])
        }
    }

    /// A PostgreSQL connection runs one statement at a time: a query not read to its end is read
    /// to its end (and the rows dropped) before the next statement.
    private func finishStreaming(on connection: Int) throws {
        guard let index = streaming[connection], let query = queries[index] else { return }
        while !(try query.reader.next(1000)).isEmpty {}
        end(index)
    }

    private func end(_ index: Int) {
        guard let query = queries.removeValue(forKey: index) else { return }
        query.reader.finish()
        if streaming[query.connection] == index { streaming[query.connection] = nil }
    }

    /// Every string in a decoded JSON value, at any depth.
    private static func strings(in value: Any) -> Set<String> {
        switch value {
        case let text as String: return [text]
        case let list as [Any]: return list.reduce(into: []) { $0.formUnion(strings(in: $1)) }
        case let object as [String: Any]: return object.values.reduce(into: []) { $0.formUnion(strings(in: $1)) }
        default: return []
        }
    }

    private static func value(_ item: Any) throws -> SQLValue {
        guard let pair = item as? [Any], let tag = pair.first as? String else {
            throw HostFunctionError("sql: malformed parameter")
        }
        let value = pair.count > 1 ? pair[1] : nil
        switch (tag, value) {
        case ("i", let number as NSNumber): return .integer(number.int64Value)
        case ("f", let number as NSNumber): return .double(number.doubleValue)
        case ("b", let number as NSNumber): return .boolean(number.boolValue)
        case ("s", let text as String), ("j", let text as String): return .text(text)
        default: return .null
        }
    }
}
