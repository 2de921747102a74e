import Foundation
import Testing
import TestSupport

/// `luaflow discover source.postgres`: the tables of the database with their columns and types,
/// and a schema inferred from their first rows.
@Suite struct SQLDiscoverTests {
    @Test func listsTablesAndColumns() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("discover")
        try pg.psql("""
            create table customers (id bigint not null, email text, joined timestamptz);
            insert into customers values (1, 'a@example.com', '2024-01-01 00:00:00+00');
            create schema sales; create table sales.orders (id int not null, total numeric(10,2));
            """, database: pg.database(in: dsn))
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["discover", "source.postgres", "--set", "dsn=\(dsn)"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout == """
            stream customers: 1 record sampled
              column  type                      required
              id      bigint                    yes
              email   text                      no
              joined  timestamp with time zone  no

            stream sales.orders: 0 records sampled
              column  type     required
              id      integer  yes
              total   numeric  no

            """, "\(result.stdout)")
        #expect(!result.stdout.contains(PostgresCluster.password))
        let json = try LuaflowBinary.run(["discover", "source.postgres", "--set", "dsn=\(dsn)", "--set", "schema=sales", "--json"], in: dir)
        #expect(json.stdout.contains(#""columns":[{"name":"id","nullable":false,"type":"integer"},{"name":"total","nullable":true,"type":"numeric"}]"#),
                "\(json.stdout)")
        #expect(json.stdout.contains(#""name":"sales.orders""#) && !json.stdout.contains("customers"))
    }
}

extension SQLDiscoverTests {
    /// `luaflow check` connects and says what it found: the server version, the table readable.
    @Test func checkReportsTheServerVersion() throws {
        let pg = try PostgresCluster.shared()
        let dsn = try pg.createDatabase("check")
        try pg.psql("create table orders (id int)", database: pg.database(in: dsn))
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
            network { { source.postgres { name = "orders", dsn = "\(dsn)", table = "orders" }, sink.file { path = "out.jsonl" } } }
            """)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("PostgreSQL 15") && result.stdout.contains("table orders readable"), "\(result.stdout)")
    }
}
