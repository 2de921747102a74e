import Foundation
import Testing
import TestSupport

/// `source.http` without a `paginator` end to end: the paginator is picked from the first response
/// and named in the log; a response that says more pages exist in a way no paginator follows
/// fails the run; `paginator = { type = "none" }` reads one page on purpose.
@Suite struct PaginatorDetectionTests {
    /// Runs a `source.http` on `path` of a fresh test server with `settings` added, into out.jsonl.
    static func run(_ path: String, _ settings: String = "", records: String = "") throws -> (LuaflowBinary.Result, [String]) {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.http { name = "api", base_url = "\(server.baseURL)", path = "\(path)"\(records)\(settings) },
                    sink.file { path = "out.jsonl" } } }
        """)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        let out = FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path)
            ? try dir.read("out.jsonl").split(separator: "\n").map(String.init) : []
        return (result, out)
    }

    @Test func aLinkHeaderIsFollowedWithoutAPaginatorAndTheLogSaysSo() throws {
        let (result, out) = try Self.run("/link?per_page=10&total=25")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(out.count == 25)
        #expect(result.stderr.contains(#"info [api] paginator detected: { type = "link_header" }, as the response has a Link header with rel="next""#), "\(result.stderr)")
    }

    @Test func aNextURLInTheBodyIsFollowed() throws {
        let (result, out) = try Self.run("/next_url?limit=10&total=25", records: #", records_path = "results""#)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(out.count == 25)
        #expect(result.stderr.contains(#"paginator detected: { type = "next_url", next_url_path = "links.next" }"#), "\(result.stderr)")
    }

    @Test func aCursorNoPaginatorFollowsFailsTheRunAndPublishesNothing() throws {
        let (result, out) = try Self.run("/cursor?limit=10&total=25", records: #", records_path = "data""#)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(out.isEmpty)
        #expect(result.stderr.contains("the response holds a cursor at meta.next_cursor"), "\(result.stderr)")
        #expect(result.stderr.contains(#"paginator = { type = "none" } to read one page on purpose"#), "\(result.stderr)")
    }

    @Test func aTotalBeyondThePageFailsTheRun() throws {
        let (result, out) = try Self.run("/offset?limit=10&total=25", records: #", records_path = "data""#)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(out.isEmpty)
        #expect(result.stderr.contains("the response counts 25 records at total but holds 10"), "\(result.stderr)")
    }

    @Test func typeNoneReadsOnePageOnPurpose() throws {
        let (result, out) = try Self.run("/link?per_page=10&total=25", #", paginator = { type = "none" }"#)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(out.count == 10)
        #expect(!result.stderr.contains("paginator detected"), "\(result.stderr)")
    }

    @Test func aListWithoutANextLinkIsOnePageAndTheLogSaysSo() throws {
        let (result, out) = try Self.run("/link?per_page=10&total=5")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(out.count == 5)
        #expect(result.stderr.contains("info [api] no paginator detected, reading one page: the response is a list without a next link"), "\(result.stderr)")
    }
}
