import GRDB

/// The SQLite file's tables, migrated step by step from every layout a release wrote: a file
/// from an earlier release opens with its state intact.
extension SQLiteStateBackend {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE run (id INTEGER PRIMARY KEY CHECK (id = 1), status TEXT NOT NULL, started_at TEXT NOT NULL,
                                  finished_at TEXT);
                CREATE TABLE stream (node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT, skip INTEGER NOT NULL DEFAULT 0,
                                     run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0, last_run TEXT,
                                     updated_at TEXT, PRIMARY KEY (node, stream));
                CREATE TABLE sink (node TEXT PRIMARY KEY, path TEXT NOT NULL, length INTEGER NOT NULL, records INTEGER NOT NULL,
                                   columns TEXT);
                """)
        }
        migrator.registerMigration("v2") { db in
            try db.execute(sql: "ALTER TABLE stream ADD COLUMN exhausted INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v3-sink-token") { db in
            // A sink's progress becomes an opaque token; a file sink's keeps its path, length and columns.
            try db.execute(sql: """
                CREATE TABLE sink_token (node TEXT PRIMARY KEY, records INTEGER NOT NULL, data TEXT);
                INSERT INTO sink_token (node, records, data)
                  SELECT node, records, CASE WHEN path = '' THEN NULL
                    ELSE json_object('path', path, 'length', length, 'columns', json(columns)) END FROM sink;
                DROP TABLE sink;
                """)
        }
        migrator.registerMigration("v4-partitions") { db in
            try db.execute(sql: """
                CREATE TABLE stream_partition (node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL, ordinal INTEGER NOT NULL,
                                               partition_json TEXT NOT NULL, pagination TEXT, exhausted INTEGER NOT NULL DEFAULT 0,
                                               run_cursor TEXT, cursor TEXT, records INTEGER NOT NULL DEFAULT 0,
                                               PRIMARY KEY (node, stream, key));
                """)
        }
        migrator.registerMigration("v5-run-history") { db in
            try db.execute(sql: """
                CREATE TABLE run_history (id INTEGER PRIMARY KEY AUTOINCREMENT, run_started_at TEXT NOT NULL,
                                          started_at TEXT NOT NULL, finished_at TEXT, seconds REAL, outcome TEXT NOT NULL,
                                          resumed_from TEXT NOT NULL DEFAULT '{}', nodes TEXT NOT NULL DEFAULT '[]',
                                          requests INTEGER NOT NULL DEFAULT 0, retries INTEGER NOT NULL DEFAULT 0);
                """)
        }
        migrator.registerMigration("v6-pipelines") { db in
            // Every row is keyed by its pipeline. The rows from before are nobody's ('') until a
            // pipeline of the directory adopts them (SQLiteStateBackend+Legacy).
            try db.execute(sql: """
                CREATE TABLE run_v6 (pipeline TEXT PRIMARY KEY, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
                                     run_key TEXT);
                INSERT INTO run_v6 (pipeline, status, started_at, finished_at, run_key)
                  SELECT '', status, started_at, finished_at, started_at FROM run;
                DROP TABLE run;
                ALTER TABLE run_v6 RENAME TO run;
                CREATE TABLE stream_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, pagination TEXT,
                                        skip INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT,
                                        records INTEGER NOT NULL DEFAULT 0, last_run TEXT, updated_at TEXT,
                                        exhausted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream));
                INSERT INTO stream_v6 (pipeline, node, stream, pagination, skip, run_cursor, cursor, records, last_run, updated_at, exhausted)
                  SELECT '', node, stream, pagination, skip, run_cursor, cursor, records, last_run, updated_at, exhausted FROM stream;
                DROP TABLE stream;
                ALTER TABLE stream_v6 RENAME TO stream;
                CREATE TABLE stream_partition_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, stream TEXT NOT NULL, key TEXT NOT NULL,
                                                  ordinal INTEGER NOT NULL, partition_json TEXT NOT NULL, pagination TEXT,
                                                  exhausted INTEGER NOT NULL DEFAULT 0, run_cursor TEXT, cursor TEXT,
                                                  records INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, node, stream, key));
                INSERT INTO stream_partition_v6 SELECT '', * FROM stream_partition;
                DROP TABLE stream_partition;
                ALTER TABLE stream_partition_v6 RENAME TO stream_partition;
                CREATE TABLE sink_token_v6 (pipeline TEXT NOT NULL, node TEXT NOT NULL, records INTEGER NOT NULL, data TEXT,
                                            PRIMARY KEY (pipeline, node));
                INSERT INTO sink_token_v6 (pipeline, node, records, data) SELECT '', node, records, data FROM sink_token;
                DROP TABLE sink_token;
                ALTER TABLE sink_token_v6 RENAME TO sink_token;
                ALTER TABLE run_history ADD COLUMN pipeline TEXT NOT NULL DEFAULT '';
                CREATE INDEX run_history_pipeline ON run_history (pipeline, id);
                """)
        }
        migrator.registerMigration("v7-runs-leases") { db in
            // A run is keyed by its id (the former run_key) and names the worker that runs it; the
            // rows from before have no known owner. Leases say which worker may commit.
            try db.execute(sql: """
                CREATE TABLE run_v7 (pipeline TEXT NOT NULL, run_id TEXT NOT NULL, owner TEXT NOT NULL, status TEXT NOT NULL,
                                     started_at TEXT NOT NULL, finished_at TEXT, PRIMARY KEY (pipeline, run_id));
                INSERT INTO run_v7 (pipeline, run_id, owner, status, started_at, finished_at)
                  SELECT pipeline, COALESCE(run_key, pipeline || '@' || started_at), '', status, started_at, finished_at FROM run;
                DROP TABLE run;
                ALTER TABLE run_v7 RENAME TO run;
                CREATE TABLE lease (pipeline TEXT NOT NULL, scope TEXT NOT NULL, owner TEXT, token INTEGER NOT NULL,
                                    expires_at INTEGER NOT NULL, PRIMARY KEY (pipeline, scope));
                """)
        }
        return migrator
    }
}
