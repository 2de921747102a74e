import Foundation
import Testing
import TestSupport

/// A setting that names a field no record holds (a typo) stops the run with exit 1, naming the
/// setting, the field, the fields present and the closest one, with nothing published and no state
/// moved; `optional_fields` allows a field that is legitimately absent.
@Suite struct FieldTypoTests {
    static let source = """
    cursor_field = "updatedAt"
    function get(pagination, state)
      return { { id = 1, updated_at = "2024-01-01" }, { id = 2, updated_at = "2024-01-02" } }, nil
    end
    """

    @Test func aCursorFieldTypoFailsTheRunAndMovesNoState() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("events.lua", Self.source)
        try dir.write("pipeline.lua", #"network { { source("events.lua"), sink.file { path = "out.jsonl" } } }"#)
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("cursor_field (events.lua): field `updatedAt` is in none of the 2 records of the first page (fields present: id, updated_at); did you mean `updated_at`?"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))
        let state = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(!state.stdout.contains("2024-01-02"), "\(state.stdout)")

        try dir.write("events.lua", Self.source.replacingOccurrences(of: "\"updatedAt\"", with: "\"updated_at\""))
        let fixed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(fixed.exitCode == 0, "\(fixed.stderr)")
        #expect(try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir).stdout.contains("2024-01-02"))
    }

    @Test func optionalFieldsAllowsAFieldAbsentFromTheFirstRecords() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("events.lua", "optional_fields = { \"updatedAt\" }\n" + Self.source)
        try dir.write("pipeline.lua", #"network { { source("events.lua"), sink.file { path = "out.jsonl" } } }"#)
        let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
    }

    @Test func aSourceHTTPCursorFieldTypoFailsTheRunAndOptionalFieldsAllowsIt() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        let pipeline = """
        network { { source.http { name = "api", base_url = "\(server.baseURL)", path = "/next_url", records_path = "results",
                                  incremental = { cursor_field = "idd", cursor_param = "since" }OPTIONAL },
                    sink.file { path = "out.jsonl" } } }
        """
        try dir.write("pipeline.lua", pipeline.replacingOccurrences(of: "OPTIONAL", with: ""))
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("incremental.cursor_field: field `idd` is in none of the 10 records of the first page (fields present: id, name); did you mean `id`?"), "\(failed.stderr)")
        #expect(failed.stderr.contains("pipeline.lua:1"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))
        try dir.write("pipeline.lua", pipeline.replacingOccurrences(of: "OPTIONAL", with: #", optional_fields = { "idd" }"#))
        let allowed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
    }

    @Test func anIncludeFromParentTypoFailsTheRun() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        _ = server.installRepositoryIssues(repos: 2, issues: 3, perPage: 10, delay: 0)
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        local api = source.http { name = "api", base_url = "\(server.baseURL)", resources = {
          repos = { path = "/repos", records_path = "repos" },
          issues = { path = "/repo-issues", params = { repo = "{repos.name}" }, records_path = "issues",
                     paginator = { type = "cursor", cursor_path = "next" }, include_from_parent = { "nme" } },
        } }
        network { { api.issues, sink.file { path = "out.jsonl" } } }
        """)
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("resources.issues.include_from_parent: field `nme` is in none of the 2 records of resources.repos read first (fields present: name); did you mean `name`?"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))

        try dir.write("pipeline.lua", try dir.read("pipeline.lua").replacingOccurrences(of: "\"nme\"", with: "\"name\""))
        let fixed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(fixed.exitCode == 0, "\(fixed.stderr)")
        #expect(try dir.read("out.jsonl").contains(#""_repos_name":"r1""#))
    }

    @Test func aRecordsPathTypoNamesTheFieldsPresent() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.http { name = "api", base_url = "\(server.baseURL)", path = "/next_url", records_path = "result" },
                    sink.file { path = "out.jsonl" } } }
        """)
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("(fields present: links, results); did you mean `results`?"), "\(failed.stderr)")
    }

    @Test func aDatabaseSinkPrimaryKeyTypoFailsTheRun() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.list { items = { { id = 1, name = "a" }, { id = 2, name = "b" } } },
                    sink.sqlite { path = "out.db", table = "users", write_disposition = "merge", primary_key = { "idd" } } } }
        """)
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("primary_key: field `idd` is in none of the 2 records of the first batch (fields present: id, name); did you mean `id`?"), "\(failed.stderr)")
    }

    @Test func aMergeRecordWithoutItsKeyFailsTheRun() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", """
        network { { source.list { items = { { id = 1, name = "a" }, { name = "b" } } },
                    sink.sqlite { path = "out.db", table = "users", write_disposition = "merge", primary_key = { "id" } } } }
        """)
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("primary_key field `id` is missing or null"), "\(failed.stderr)")
    }

    @Test func aDeclaredColumnAbsentFromTheFirstBatchFailsUnlessOptional() throws {
        let dir = try LuaflowBinary.workspace()
        let pipeline = """
        network { { source.list { items = { { id = 1, created = "2024-01-01T00:00:00Z" } } },
                    sink.sqlite { path = "out.db", table = "t", columns = { { name = "created_at", type = "timestamptz" } }OPTIONAL } } }
        """
        try dir.write("pipeline.lua", pipeline.replacingOccurrences(of: "OPTIONAL", with: ""))
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        #expect(failed.stderr.contains("columns: field `created_at` is in none of the 1 records of the first batch (fields present: created, id); did you mean `created`?"), "\(failed.stderr)")
        try dir.write("pipeline.lua", pipeline.replacingOccurrences(of: "OPTIONAL", with: #", optional_fields = { "created_at" }"#))
        let allowed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
    }
}
