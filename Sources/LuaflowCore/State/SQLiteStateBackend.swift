import Foundation
import GRDB

/// A pipeline's state in an SQLite file (`.luaflow/state.db` beside pipeline.lua by default):
/// the embedded ``StateBackend``. Every commit is one transaction.
///
/// One file may hold several pipelines (every pipeline of a directory shares its
/// `.luaflow/state.db`): each row is keyed by the pipeline's name, and an instance reads and
/// writes only the rows of the pipeline it was opened for.
public final class SQLiteStateBackend: StateBackend, @unchecked Sendable {
    public let path: String
    public let pipeline: String
    /// Stamps commits and run ends; leases expire by it.
    let clock: WallClock
    private let db: DatabaseQueue

    public var location: String { path }

    /// Opens (creating if needed, migrating an older schema) the file at `path`, for the
    /// pipeline named `pipeline`.
    public init(path: String, pipeline: String, clock: WallClock = .system) throws {
        self.path = path
        self.pipeline = pipeline
        self.clock = clock
        do {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            var configuration = Configuration()
            // WAL with synchronous = NORMAL survives a killed process; after a power loss the
            // store may lag the outputs, which only means re-reading since an older checkpoint.
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                // WAL is kept in the file; switching needs the only connection, so only the first open does it.
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                }
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            db = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(db)
        } catch {
            throw PipelineError(.runtime, node: "state", phase: "state", "cannot open the state store \(path): \(error)")
        }
    }

    /// The default file of a pipeline: `.luaflow/state.db` in its directory.
    public static func defaultPath(forPipelineIn directory: String) -> String {
        directory + "/.luaflow/state.db"
    }

    public func pipelines() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: """
                SELECT pipeline FROM run UNION SELECT pipeline FROM stream UNION SELECT pipeline FROM sink_token
                UNION SELECT pipeline FROM run_history ORDER BY 1
                """).filter { !$0.isEmpty }
        }
    }

    // MARK: Plumbing

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.read(body) } catch { throw storeError(error) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try db.write(body) } catch let error as PipelineError { throw error } catch { throw storeError(error) }
    }

    private func storeError(_ error: Error) -> PipelineError {
        PipelineError(.runtime, node: "state", phase: "state", "state store \(path): \(error)")
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
