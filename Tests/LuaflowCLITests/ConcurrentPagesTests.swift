import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// `source.http { concurrency = N }` end to end: pages fetched ahead still leave in order, and a
/// page that fails while later ones were already fetched is where the rerun starts again.
@Suite struct ConcurrentPagesTests {
    @Test func aFailedPageIsWhereTheRerunResumesWithPagesInFlight() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let feed = server.installFaultFeed(path: "/feed", total: 200, perPage: 10)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.http { name = "feed", base_url = "\(server.baseURL)", path = "/feed", records_path = "data",
                                      concurrency = 4, retry = { max_attempts = 2, base_delay = 0.01 },
                                      paginator = { type = "page", page_param = "page", start_page = 0, total_pages_path = "pages" } },
                        sink.file { path = "out.jsonl" } } }
            """)
            feed.inject(.status(503), page: 9, .always)
            let failed = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(failed.exitCode == 1, "\(failed.stderr)")
            #expect(failed.stderr.contains("503"), "\(failed.stderr)")
            let pages = { server.requests(path: "/feed").compactMap { $0.queryInt("page") } }
            #expect(pages().contains(10), "pages after the failing one were fetched ahead: \(pages())")
            server.clearLog()
            feed.heal()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(pages().first == 9, "the rerun starts at the page that failed: \(pages())")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...200), "every record once, in order")
        }
    }

    /// Killed at random moments while pages are in flight: every resumed run goes on from its last
    /// checkpoint, and the output ends with every record once, in order.
    @Test func killedRunsWithPagesInFlightLoseAndRepeatNothing() async throws {
        try await onThread {
            let (total, perPage) = (400, 20)
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            server.route("/slow-pages") { request in
                let page = request.queryInt("page") ?? 1
                let records = TestDataset.records(from: (page - 1) * perPage, count: perPage, total: total)
                return TestHTTPResponse.json(["items": records, "pages": total / perPage]).delayed(by: 0.1)
            }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.http { name = "api", base_url = "\(server.baseURL)", path = "/slow-pages", records_path = "items",
                                      concurrency = 4, paginator = { type = "page", total_pages_path = "pages" } },
                        sink.file { path = "out.jsonl" } } }
            """)
            let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 10, seed: 20261130,
                                                                    delays: 0.1...0.7)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...total), "every record exactly once, in order")
            #expect(killedMidRun >= 4, "kills must land inside a run to test anything (\(killedMidRun) did)")
        }
    }
}
