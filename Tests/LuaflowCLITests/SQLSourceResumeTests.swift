import Foundation
import Testing
import TestSupport

/// `source.postgres` killed with SIGKILL at random moments and run again: every row reaches the
/// (transactional) sink exactly once, in cursor order, across the resumed and the completed runs.
@Suite(.serialized) struct SQLSourceResumeTests {
    @Test func sigkillAtRandomMomentsReadsEveryRowOnceInCursorOrder() async throws {
        try await onThread {
            let total = 400
            let pg = try PostgresCluster.shared()
            let dsn = try pg.createDatabase("resume")
            // Three rows share each updated_at: a checkpoint must never fall inside a tie.
            try pg.psql("""
                create table orders (id int, updated_at timestamptz);
                insert into orders select g, timestamptz '2024-01-01 00:00:00+00' + (g / 3) * interval '1 second'
                  from generate_series(1, \(total)) g;
                """, database: pg.database(in: dsn))
            let dir = try LuaflowBinary.workspace()
            try dir.write("ledger.lua", LedgerSink.script)
            try dir.write("slow.lua", """
                function run(r)
                  local t = os.clock() + 0.008
                  while os.clock() < t do end
                  return r
                end
                """)
            try dir.write("pipeline.lua", """
                local orders = source.postgres { name = "orders", dsn = "\(dsn)", fetch_size = 10, checkpoint_every = 2,
                  query = "select id, updated_at from orders where updated_at > :cursor order by updated_at, id",
                  incremental = { cursor_field = "updated_at", initial_value = "2000-01-01T00:00:00Z" } }
                network { { orders, transform("slow.lua"), sink("ledger.lua", { name = "ledger", batch_size = 10, instruction_limit = 0 }) } }
                """)
            let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 8, seed: 20261130,
                                                                    delays: 0.1...0.6)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            #expect(try LedgerSink.replay(dir, keepingCompletedRuns: true) == Array(1...total))
            #expect(killedMidRun >= 6, "most kills must land inside a run to test anything (\(killedMidRun) did)")
        }
    }
}
