import Foundation
import Testing
import TestSupport

/// `kill -9` at random moments: every rerun resumes from the last checkpoint, and the finished
/// output holds every record exactly once.
@Suite(.serialized) struct CrashResumeTests {
    @Test func sigkillAtRandomMomentsLosesAndDuplicatesNothing() async throws {
        try await onThread { try Self.killAndResume() }
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
        var random = SeededGenerator(seed: 20261124) // replayable schedule
        var killedMidRun = 0
        for _ in 0..<20 {
            let delay = Double.random(in: 0.05...0.9, using: &random)
            if try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q"], in: dir, after: delay) { killedMidRun += 1 }
        }
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
