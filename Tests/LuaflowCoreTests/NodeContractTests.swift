import Foundation
import Testing
@testable import LuaflowCore

@Suite struct NodeContractTests {
    @Test func runSourceTransformAndSinkScriptsWithInitAndFinalize() throws {
        let ws = try Workspace()
        try ws.write("src.lua", """
        local n = 0
        function init() n = 0 end
        function run()
          n = n + 1
          if n > config.count then return nil end
          return { id = n }
        end
        """)
        try ws.write("double.lua", """
        local seen = 0
        function run(item)
          seen = seen + 1
          if item.id % 2 == 0 then return nil end      -- drop even ids
          if item.id == 3 then emit({ id = 30 }) end  -- emit adds records
          return item
        end
        function finalize() return { { total = seen } } end
        """)
        try ws.write("collect.lua", """
        local items = {}
        function run(item) items[#items + 1] = item end
        function finalize()
          local f = assert(io.open("collected.json", "w"))
          f:write(json.encode(items))
          f:close()
        end
        """)
        try ws.write("pipeline.lua", """
        local s = source("src.lua", { count = 5 })
        local t = transform("double.lua")
        network { { s, t }, { t, sink("collect.lua") } }
        """)
        let summary = try ws.run()
        let collected = try JSONSerialization.jsonObject(with: Data(try ws.read("collected.json").utf8)) as! [[String: Int]]
        #expect(collected == [["id": 1], ["id": 30], ["id": 3], ["id": 5], ["total": 5]])
        #expect(summary.row("double")?.recordsIn == 5)
        #expect(summary.row("double")?.dropped == 2)
        #expect(summary.row("double")?.recordsOut == 5)
        #expect(summary.row("collect")?.recordsIn == 5)
    }

    @Test func getSourcesPageUntilNextIsNilOrEmpty() throws {
        let ws = try Workspace()
        try ws.write("pages.lua", """
        local data = { { {id = 1}, {id = 2} }, { {id = 3} }, {} }
        function get(pagination, state)
          local page = pagination.page or 1
          local next_page = page < #data and { page = page + 1 } or {}
          return data[page], next_page
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("pages.lua"), sink.file { path = "out.jsonl" } } }"#)
        try ws.run()
        #expect(try ws.records("out.jsonl").map { $0["id"] as? Int } == [1, 2, 3])
    }

    @Test func getSourceThatRepeatsItsPaginationIsStopped() throws {
        let ws = try Workspace()
        try ws.write("loop.lua", "function get(p) return { {x = 1} }, { cursor = 'same' } end")
        try ws.write("pipeline.lua", #"network { { source("loop.lua"), sink.file { path = "out.jsonl" } } }"#)
        let failure = ws.failure()
        #expect(failure?.message.contains(#"get() returned the same pagination twice ({"cursor":"same"})"#) == true)
        #expect(failure?.exitCode == 1)
    }

    @Test func streamingSourcesHonourMaxItemsAndLifetime() throws {
        let ws = try Workspace()
        try ws.write("ticks.lua", "local n = 0\nfunction run() n = n + 1; return { n = n } end")
        try ws.write("pipeline.lua", """
        network {
          { source("ticks.lua", { name = "by_count", max_items = 25 }), sink.file { path = "count.jsonl" } },
          { source("ticks.lua", { name = "by_time", lifetime = 0.3, batch_size = 10 }), sink.file { path = "time.jsonl" } },
        }
        """)
        let summary = try ws.run()
        #expect(try ws.records("count.jsonl").count == 25)
        #expect((summary.row("by_time")?.recordsOut ?? 0) > 0)
        #expect(summary.seconds < 10)
    }

    @Test func limitCapsEverySource() throws {
        let ws = try Workspace()
        try ws.write("ticks.lua", "local n = 0\nfunction run() n = n + 1; return { n = n } end")
        try ws.write("pipeline.lua", #"network { { source("ticks.lua"), sink.file { path = "out.jsonl" } } }"#)
        try ws.run(limit: 12)
        #expect(try ws.records("out.jsonl").count == 12)
    }

    @Test func writeSinksReceiveHostBatchesOfBatchSize() throws {
        let ws = try Workspace()
        try ws.write("batches.lua", """
        local sizes = {}
        function write(batch) sizes[#sizes + 1] = #batch end
        function finalize()
          local f = assert(io.open("sizes.txt", "w"))
          f:write(table.concat(sizes, ","))
          f:close()
        end
        """)
        try ws.write("pipeline.lua", """
        local items = {}
        for i = 1, 23 do items[i] = { i = i } end
        network { { source.list { items = items, batch_size = 4 }, sink("batches.lua", { batch_size = 10 }) } }
        """)
        try ws.run()
        #expect(try ws.read("sizes.txt") == "10,10,3")
    }

    @Test func fanOutCopiesEveryRecordAndFanInMergesInputs() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local a = source.list { name = "a", items = { {src = "a"}, {src = "a"} } }
        local b = source.list { name = "b", items = { {src = "b"} } }
        local merge = transform(function(r) return r end, { name = "merge" })
        network {
          { a, merge }, { b, merge },
          { merge, sink.file { path = "one.jsonl" } },
          { merge, sink.file { path = "two.jsonl" } },
        }
        """)
        try ws.run()
        for file in ["one.jsonl", "two.jsonl"] {
            #expect(try ws.records(file).map { $0["src"] as! String }.sorted() == ["a", "a", "b"])
        }
    }

    @Test func schemaAppliesDefaultsAndReportsEveryProblemTogether() throws {
        let ws = try Workspace()
        try ws.write("conn.lua", """
        schema = {
          base_url  = { type = "url", required = true },
          page_size = { type = "integer", min = 1, max = 100, default = 10 },
          mode      = { type = "enum", values = { "full", "incremental" }, default = "full" },
          email     = { type = "email" },
          code      = { type = "string", pattern = "^%u%u%u$", length = 3 },
        }
        function run() return nil end
        """)
        try ws.write("pipeline.lua", """
        network { { source("conn.lua", { page_size = 500, mode = "fast", email = "nope", code = "ab", extra = 1 }), sink.stdout {} } }
        """)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        for expected in ["config.base_url: is required", "config.page_size: must be at most 100, got 500",
                         "config.mode: expected one of full, incremental; got the string 'fast'",
                         "config.email: expected an email address", "config.code: must be at least 3 characters long",
                         "config.code: does not match the pattern", "unknown setting `extra` (the schema declares: base_url, code, email, mode, page_size, besides the common options)"] {
            #expect(failure.message.contains(expected), "missing: \(expected)\n\(failure.message)")
        }
        #expect(failure.message.contains("pipeline.lua:1"))
    }

    @Test func configIsNotReadableAtTheTopLevelOfTheScript() throws {
        let ws = try Workspace()
        try ws.write("src.lua", """
        schema = { size = { type = "integer", default = 3 } }
        local size = config.size
        function run() end
        """)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("node 'src' (load): src.lua:2: config.size is used at the top level of the script"), "\(failure.message)")
        #expect(failure.message.contains("use config in init() or a later function"))
    }

    @Test func configCannotBeListedOrWrittenAtTheTopLevel() throws {
        let ws = try Workspace()
        try ws.write("list.lua", "for k in pairs(config) do end\nfunction run() end")
        try ws.write("write.lua", "\nconfig.size = 4\nfunction run() end")
        try ws.write("pipeline.lua", #"network { { source("list.lua"), sink.stdout {} }, { source("write.lua"), sink.stdout {} } }"#)
        let message = try #require(ws.failure()).message
        #expect(message.contains("list.lua:1: config is used at the top level"), "\(message)")
        #expect(message.contains("write.lua:2: config.size is used at the top level"), "\(message)")
    }

    @Test func missingContractFunctionsAreConfigErrors() throws {
        let ws = try Workspace()
        try ws.write("empty.lua", "local x = 1")
        try ws.write("pipeline.lua", """
        local t = transform("empty.lua")
        network { { source.list { items = {} }, t }, { t, sink("empty.lua") } }
        """)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("defines no run(item) function; a transform must define it"))
        #expect(failure.message.contains("defines no run(item) (or write(batch)) function; a sink must define it"))
    }
}
