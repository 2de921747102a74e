import Foundation
import Testing
@testable import LuaflowCore

/// cursor_field.lua: a `cursor_field` none of the first records holds raises once, naming the
/// fields present and the closest; `optional_fields` allows it; a field found once is never
/// checked again.
@Suite struct CursorFieldTypoTests {
    /// A run() source of `count` records `{id = i}`, with `extra` set from record `from` on.
    static func runSource(field: String, count: Int, extra: String = "updated_at", from: Int = 1, header: String = "") -> String {
        """
        \(header)
        cursor_field = "\(field)"
        local i = 0
        function run()
          i = i + 1
          if i > \(count) then return nil end
          local r = { id = i }
          if i >= \(from) then r.\(extra) = i end
          return r
        end
        """
    }

    func workspace(_ source: String) throws -> Workspace {
        let ws = try Workspace()
        try ws.write("src.lua", source)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        return ws
    }

    @Test func aRunSourceWithoutTheFieldInItsFirstRecordsFails() throws {
        let ws = try workspace(Self.runSource(field: "updatedAt", count: 3))
        let failure = try #require(ws.failure(state: true))
        #expect(failure.message.contains("cursor_field (src.lua): field `updatedAt` is in none of the first 3 records (fields present: id, updated_at); did you mean `updated_at`?"), "\(failure.message)")
        #expect(failure.exitCode == 1)
        #expect(!ws.exists("out.jsonl"))
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "")?.cursor == nil)
    }

    @Test func aRunSourceStopsLookingAfterAHundredRecords() throws {
        let ws = try workspace(Self.runSource(field: "updated_at", count: 300, from: 150))
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("is in none of the first 100 records"), "\(failure.message)")
    }

    @Test func aFieldThatAppearsWithinTheFirstRecordsIsFine() throws {
        let ws = try workspace(Self.runSource(field: "updated_at", count: 300, from: 50))
        try ws.run(state: true)
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "")?.cursor == "300")
    }

    @Test func optionalFieldsAllowsAFieldAbsentFromTheFirstRecords() throws {
        let ws = try workspace(Self.runSource(field: "updated_at", count: 300, from: 150, header: #"optional_fields = { "updated_at" }"#))
        try ws.run(state: true)
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "")?.cursor == "300")
    }

    @Test func anEmptyFirstPageIsNotATypo() throws {
        let ws = try workspace("""
        cursor_field = "updated_at"
        function get(pagination, state)
          if pagination.page == nil then return {}, { page = 2 } end
          if pagination.page == 2 then return { { id = 1, updated_at = 5 } }, nil end
        end
        """)
        try ws.run(state: true)
        #expect(try SQLiteStateBackend(path: ws.statePath, pipeline: "pipeline").stream(node: "src", stream: "")?.cursor == "5")
    }
}
