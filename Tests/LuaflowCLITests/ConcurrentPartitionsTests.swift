import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// `source.http { concurrency = N }` over a child resource: the first pages of the next partitions
/// are requested while one partition is read, the records still leave partition by partition,
/// and the checkpoints and cursors mean what they meant one partition at a time.
@Suite struct ConcurrentPartitionsTests {
    /// The issues of every repository, `perPage` a page (a cursor walk, which cannot be fetched
    /// ahead within a partition); with `incremental`, each repository's issues after its cursor,
    /// appended to what earlier runs wrote.
    static func pipeline(_ server: TestHTTPServer, concurrency: Int, incremental: Bool = false) -> String {
        """
        local api = source.http {
          name = "api", base_url = "\(server.baseURL)", concurrency = \(concurrency),
          resources = {
            repos = { path = "/repos", records_path = "repos" },
            issues = { path = "/repo-issues", params = { repo = "{repos.name}" }, records_path = "issues",
                       paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" },
                       \(incremental ? #"incremental = { cursor_field = "id", cursor_param = "since" },"# : "") },
          },
        }
        network { { api.issues, sink.file { path = "out.jsonl", mode = "\(incremental ? "append" : "overwrite")" } } }
        """
    }

    /// Issue ids of repositories 1...repos, `issues` each, in partition order.
    static func expected(repos: Int, issues: Int) -> [Int] {
        (1...repos).flatMap { k in (1...issues).map { k * 100 + $0 } }
    }

    @Test(arguments: [1, 4])
    func partitionsHaveRequestsInFlightAtOnceAndLeaveInOrder(concurrency: Int) async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let inFlight = server.installRepositoryIssues(repos: 8, issues: 3, perPage: 2, delay: 0.1)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.pipeline(server, concurrency: concurrency))
            let run = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Self.expected(repos: 8, issues: 3), "every issue once, partition by partition")
            #expect(server.requests(path: "/repo-issues").count == 16, "two pages per repository, none fetched twice")
            if concurrency == 1 {
                #expect(inFlight.most == 1, "one request at a time")
            } else {
                #expect(inFlight.most > 1, "the next partitions' first pages are requested while one is read")
                #expect(inFlight.most <= concurrency, "at most `concurrency` partitions have requests in flight")
            }
        }
    }

    /// Killed at random moments while the next partitions' first pages are in flight: a response
    /// fetched ahead and not handed on is lost with the process and fetched again.
    @Test func killedRunsWithPartitionsInFlightLoseAndRepeatNothing() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            _ = server.installRepositoryIssues(repos: 8, issues: 6, perPage: 2, delay: 0.05)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.pipeline(server, concurrency: 4))
            let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 8, seed: 15_2026,
                                                                    delays: 0.1...0.8)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            let ids = try dir.ids(in: "out.jsonl")
            #expect(ids == Self.expected(repos: 8, issues: 6), "every issue exactly once, in order: \(ids)")
            #expect(killedMidRun >= 3, "kills must land inside a run to test anything (\(killedMidRun) did)")
        }
    }

    /// Each partition commits its own cursor although the next ones were requested early: the
    /// second run asks every repository for the issues after its own last one.
    @Test func eachPartitionKeepsItsOwnCursor() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            _ = server.installRepositoryIssues(repos: 6, issues: 3, perPage: 2, delay: 0.02)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.pipeline(server, concurrency: 3, incremental: true))
            let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Self.expected(repos: 6, issues: 3))
            #expect(server.requests(path: "/repo-issues").allSatisfy { $0.queryValue("since") == nil }, "no cursor yet")
            server.clearLog()
            let second = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(second.exitCode == 0, "\(second.stderr)")
            let sent = server.requests(path: "/repo-issues").map { "\($0.queryValue("repo") ?? "?")>\($0.queryValue("since") ?? "none")" }
            #expect(sent.sorted() == (1...6).map { "r\($0)>\($0 * 100 + 3)" }, "each repository's own cursor, once")
            #expect(try dir.ids(in: "out.jsonl") == Self.expected(repos: 6, issues: 3), "nothing new, nothing twice")
        }
    }
}
