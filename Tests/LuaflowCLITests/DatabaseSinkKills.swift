import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// The kill test of the database sinks: a paginated HTTP source (20 records a page, a checkpoint
/// every 3 pages, 40 ms a page) into the sink `sink` declares, killed with SIGKILL at seeded
/// moments, then run to the end. Record `i` is `{"id": i, "key": i % 97, "v": i}`.
enum DatabaseSinkKills {
    static let total = 600

    struct Outcome {
        var dir: URL
        var killedMidRun: Int
        var last: LuaflowBinary.Result
    }

    static func run(sink: String, kills: Int, seed: UInt64, delays: ClosedRange<Double> = 0.05...0.8) throws -> Outcome {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/records") { request in
            let offset = request.queryValue("cursor").flatMap(Int.init) ?? 0
            let records = (offset..<min(total, offset + 20)).map { i in ["id": i + 1, "key": (i + 1) % 97, "v": i + 1] }
            let next = offset + records.count
            return TestHTTPResponse.json(["data": records, "next": next < total ? "\(next)" as Any : NSNull()]).delayed(by: 0.04)
        }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        local api = source.http { name = "api", checkpoint_every = 3, base_url = "\(server.baseURL)", path = "/records", records_path = "data",
                                  paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } }
        network { { api, \(sink) } }
        """)
        let killed = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: kills, seed: seed, delays: delays)
        let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        return Outcome(dir: dir, killedMidRun: killed, last: last)
    }

    /// Checks a database after the kills. A run that completed is followed by a fresh one that
    /// loads everything again, so the check is per logical run (`_luaflow_loads.run`): every run
    /// loaded each record exactly once (`loads`: records per run). Appended (`rows`: run and id
    /// of every row), each run's rows are ids 1...total once; merged on `key` (`merged`: key and
    /// v of every row), each key holds its largest `v`.
    static func verify(disposition: String, rows: [(String, Int)], loads: [(String, Int)], merged: [(Int, Int)]) throws {
        #expect(!loads.isEmpty)
        for (run, records) in loads {
            #expect(records == total, "run \(run) loaded \(records) records")
        }
        if disposition == "append" {
            let byRun = Dictionary(grouping: rows, by: \.0)
            #expect(Set(byRun.keys) == Set(loads.map(\.0)))
            for (run, ids) in byRun {
                #expect(ids.map(\.1).sorted() == Array(1...total), "run \(run): \(ids.count) rows")
            }
        } else {
            var expected: [Int: Int] = [:]
            for i in 1...total { expected[i % 97] = i }
            #expect(Dictionary(merged, uniquingKeysWith: { a, _ in -a }) == expected)
        }
    }

    /// A pipeline where the database commits a load that the state store does not: `sink`
    /// and a Lua sink read 30 records, a checkpoint every 10; the Lua sink's second `flush()`
    /// (the second checkpoint) fails after a pause, once, so the database holds 20 rows while
    /// the committed checkpoint covers 10. The rerun must drop the second load before the
    /// source sends records 11 to 30 again.
    static func uncommittedLoad(sink: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", (1...30).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("flaky.lua", """
        local flushes = 0
        function write(batch) end
        function flush()
          flushes = flushes + 1
          if flushes == 2 and not io.open("failed-once") then
            io.open("failed-once", "w"):close()
            local t = os.clock() + 0.5
            while os.clock() < t do end
            error("injected failure", 0)
          end
        end
        """)
        try dir.write("pipeline.lua", """
        local src = source.file { path = "in.jsonl", checkpoint_every = 10 }
        network { { src, \(sink) }, { src, sink("flaky.lua", { batch_size = 5, instruction_limit = 0 }) } }
        """)
        return dir
    }
}
