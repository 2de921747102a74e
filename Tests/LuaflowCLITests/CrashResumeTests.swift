import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// `kill -9` at random moments: every rerun resumes from the last checkpoint, and the finished
/// output holds every record exactly once.
@Suite(.serialized) struct CrashResumeTests {
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() async throws {
        try await onThread { try Self.killAndResume() }
    }

    /// A kill after the checkpoint of a `get()` source's last page (here while another sink's
    /// finalize() runs): the resumed source has nothing left to read, rather than starting again.
    @Test func aKillAfterTheLastPagesCheckpointDoesNotReadEverythingAgain() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            try dir.write("pages.lua", """
            function get(p)
              local page = p.page or 1
              return { { id = page } }, page < 3 and { page = page + 1 } or nil
            end
            """)
            try dir.write("slow_sink.lua", """
            function run(item) end
            function finalize()
              io.open("started", "w"):close()
              local t = os.clock() + 30
              while os.clock() < t do end
            end
            """)
            try dir.write("pipeline.lua", """
            local pages = source("pages.lua")
            network { { pages, sink.file { path = "out.jsonl" } }, { pages, sink("slow_sink.lua", { instruction_limit = 0 }) } }
            """)
            #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q"], in: dir, after: 0.2, startedFile: "started"))
            try dir.write("slow_sink.lua", "function run(item) end")
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == [1, 2, 3])
        }
    }

    static func killAndResume() throws {
        let total = 600
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/slow-cursor") { request in
            let offset = request.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
            let records = TestDataset.records(from: offset, count: 20, total: total)
            let next = offset + records.count
            return TestHTTPResponse.json(["data": records, "next": next < total ? "c\(next)" as Any : NSNull()]).delayed(by: 0.04)
        }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.http { name = "api", checkpoint_every = 3, base_url = "\(server.baseURL)", path = "/slow-cursor", records_path = "data",
                                  paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } },
                    sink.file { path = "out.jsonl" } } }
        """)
        let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 20, seed: 20261124,
                                                                delays: 0.05...0.9)
        let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(last.exitCode == 0, "\(last.stderr)")
        #expect(try dir.ids(in: "out.jsonl") == Array(1...total), "every record exactly once, in order")
        #expect(killedMidRun >= 10, "most kills must land inside a run to test anything (\(killedMidRun) did)")
        // Runs resumed mid-way: far fewer started at the first page than ran (21), and far fewer
        // pages were fetched than 21 runs from scratch would (630).
        let requests = server.requests(path: "/slow-cursor")
        let fromFirstPage = requests.filter { $0.queryValue("cursor") == nil }.count
        print("crash test: \(killedMidRun) runs killed mid-run, \(fromFirstPage) started at page 1, \(requests.count) pages fetched")
        #expect(fromFirstPage <= 10, "\(fromFirstPage) of 21 runs started from the first page")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".out.jsonl.partial").path))
    }
}
