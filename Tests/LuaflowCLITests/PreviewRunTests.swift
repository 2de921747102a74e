import Foundation
import GRDB
import Testing
import TestSupport

/// `luaflow run --limit N` is a preview: outputs, tables and state stay as they were, and what
/// the sinks would have received goes to `.luaflow/preview/<pipeline>/`, which the run names.
@Suite(.serialized) struct PreviewRunTests {
    @Test func aLimitedRunLeavesFilesTablesAndStateAsTheyWere() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.csv", "id,name\n" + (1...50).map { "\($0),n\($0)" }.joined(separator: "\n") + "\n")
        try dir.write("pipeline.lua", """
        local rows = source.file { path = "in.csv" }
        network { { rows, sink.file { path = "out/report.csv" } },
                  { rows, sink.sqlite { path = "app.db", table = "people", write_disposition = "replace" } } }
        """)
        let full = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(full.exitCode == 0, "\(full.stderr)")
        let report = try Data(contentsOf: dir.appendingPathComponent("out/report.csv"))
        let state = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir).stdout
        func people() throws -> [String] {
            try DatabaseQueue(path: dir.appendingPathComponent("app.db").path).read { db in
                try String.fetchAll(db, sql: "SELECT id || ' ' || name FROM people ORDER BY id")
            }
        }
        let table = try people()
        #expect(table.count == 50)

        let preview = try LuaflowBinary.run(["run", "pipeline.lua", "--limit", "2", "-q"], in: dir)
        #expect(preview.exitCode == 0, "\(preview.stderr)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("out/report.csv")) == report, "the real output is byte for byte the same")
        #expect(try people() == table, "the table was not replaced")
        #expect(try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir).stdout == state, "the state did not move")
        #expect(preview.stderr.contains("preview: nothing was published and the state is unchanged"), "\(preview.stderr)")
        #expect(preview.stderr.contains(".luaflow/preview/pipeline/report.csv/report.csv"), "\(preview.stderr)")
        let people = preview.stderr.split(separator: "\n").first { $0.contains("(sink.sqlite)") }
        #expect(people?.hasSuffix("  .luaflow/preview/pipeline/people/records.jsonl") == true, "\(preview.stderr)")
        #expect(try dir.read(".luaflow/preview/pipeline/report.csv/report.csv") == "id,name\n1,n1\n2,n2\n")
        #expect(try dir.read(".luaflow/preview/pipeline/people/records.jsonl") == #"{"id":"1","name":"n1"}"# + "\n" + #"{"id":"2","name":"n2"}"# + "\n")
    }

    @Test func aPreviewNeverAppendsNorPosts() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/ingest") { _ in .json(["ok": true]) }
        let dir = try LuaflowBinary.workspace()
        try dir.write("log.jsonl", #"{"id":0}"# + "\n")
        try dir.write("pipeline.lua", """
        local items = source.list { items = { { id = 1 }, { id = 2 }, { id = 3 } } }
        network { { items, sink.file { path = "log.jsonl", mode = "append" } },
                  { items, sink.http { url = "\(server.baseURL)/ingest" } } }
        """)
        let preview = try LuaflowBinary.run(["run", "pipeline.lua", "--limit", "1"], in: dir)
        #expect(preview.exitCode == 0, "\(preview.stderr)")
        #expect(try dir.read("log.jsonl") == #"{"id":0}"# + "\n", "nothing appended")
        #expect(server.requests(path: "/ingest").isEmpty, "nothing posted")
        #expect(try dir.ids(in: ".luaflow/preview/pipeline/log.jsonl/log.jsonl") == [1], "written afresh, not appended")
        #expect(try dir.ids(in: ".luaflow/preview/pipeline/http/records.jsonl") == [1])
    }
}
