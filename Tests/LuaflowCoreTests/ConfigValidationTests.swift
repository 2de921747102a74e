import Foundation
import Testing
@testable import LuaflowCore
import TestSupport

@Suite struct ConfigValidationTests {
    private func failure(_ pipeline: String, files: [String: String] = [:]) throws -> String {
        let ws = try Workspace()
        for (name, text) in files { try ws.write(name, text) }
        try ws.write("pipeline.lua", pipeline)
        return try #require(ws.failure()).message
    }

    @Test func builtinsRejectMisspelledSettings() throws {
        let message = try failure(#"network { { source.list { items = {} }, sink.file { path = "o.csv", colums = { "a" } } } }"#)
        #expect(message.contains("unknown setting `colums`; did you mean `columns`? (in pipeline.lua:1)"), "\(message)")
        let stdout = try failure(#"network { { source.list { items = {} }, sink.stdout { fromat = "x" } } }"#)
        #expect(stdout.contains("unknown setting `fromat` (it takes only the common options: batch_size,"), "\(stdout)")
    }

    @Test func aMissingPathSaysWhatToWrite() throws {
        let message = try failure(#"network { { source.file { format = "csv" }, sink.stdout {} } }"#)
        #expect(message.contains(#"config.path: is required: the file to read, relative to pipeline.lua, e.g. "data/in.jsonl" (in pipeline.lua:1)"#), "\(message)")
        let typo = try failure(#"network { { source.file { paht = "in.jsonl" }, sink.stdout {} } }"#)
        #expect(typo.contains("unknown setting `paht`; did you mean `path`?"), "\(typo)")
    }

    @Test(arguments: [
        (#"batch_size = 1.5"#, "config.batch_size: expected an integer, got float 1.5"),
        (#"batch_size = 0"#, "config.batch_size: must be at least 1, got 0"),
        (#"on_error = "retry""#, "config.on_error: expected one of fail, skip, dead_letter; got the string 'retry'"),
        (#"on_error = "dead_leter""#, "did you mean `dead_letter`?"),
        (#"workers = "many""#, #"config.workers: expected an integer of at least 1 or "auto", got the string 'many'"#),
        (#"lifetime = -1"#, "config.lifetime: must be above 0, got -1"),
        (#"max_itmes = 3"#, "unknown setting `max_itmes`; did you mean `max_items`?"),
    ])
    func commonOptionsExplainWhatTheyTake(option: String, expected: String) throws {
        let message = try failure("network { { source.list { items = {}, \(option) }, sink.stdout {} } }")
        #expect(message.contains(expected), "\(message)")
    }

    @Test func environmentValuesAreVisibleFromInit() throws {
        setenv("LUAFLOW_TEST_PAGE", "50", 1)
        let ws = try Workspace()
        try ws.write("src.lua", """
        schema = { page = { type = "integer", default = 10, env = "LUAFLOW_TEST_PAGE" } }
        local at_init
        function init() at_init = config.page end
        local done = false
        function run() if done then return nil end done = true return { init = at_init, now = config.page } end
        """)
        try ws.write("pipeline.lua", #"network { { source("src.lua"), sink.file { path = "out.jsonl" } } }"#)
        try ws.run()
        let record = try #require(try ws.records("out.jsonl").first)
        #expect(record["init"] as? Int == 50)
        #expect(record["now"] as? Int == 50)
    }

    @Test func schemaFieldsMayNotShadowCommonOptions() throws {
        let message = try failure(#"network { { source("s.lua", { name = "Ada" }), sink.stdout {} } }"#,
                                  files: ["s.lua": "schema = { name = { type = 'string' } }\nfunction run() end"])
        #expect(message.contains("config.name: is a common option of every node"))
    }

    @Test func pathFieldsAreReadableWhenTheUserSetsThemNotFromDefaults() throws {
        let outside = try TestDirectories.make("luaflow-outside")
        try "hello".write(to: outside.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
        let ws = try Workspace()
        try ws.write("s.lua", """
        schema = { source_text = { type = "path", default = "\(outside.path)/in.txt" } }
        local done = false
        function run()
          if done then return nil end
          done = true
          local f = assert(io.open(config.source_text))
          local text = f:read("a")
          f:close()
          return { text = text }
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("s.lua"), sink.file { path = "out.jsonl" } } }"#)
        #expect(ws.failure()?.message.contains("s.lua:6: \(outside.path)/in.txt: access denied") == true)
        try ws.run(overrides: ["s.source_text=\(outside.path)/in.txt"])
        #expect(try ws.records("out.jsonl").first?["text"] as? String == "hello")
    }

    @Test func aTopLevelScriptErrorIsAConfigError() throws {
        let ws = try Workspace()
        try ws.write("s.lua", "error('boom at load')")
        try ws.write("pipeline.lua", #"network { { source("s.lua"), sink.stdout {} } }"#)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("s.lua:1: boom at load"))
    }

    @Test func returnShapesAreChecked() throws {
        let single = try failure(#"network { { source("g.lua"), sink.stdout {} } }"#,
                                 files: ["g.lua": "function get(p) return { x = 1 }, nil end"])
        #expect(single.contains("get() must return a list of records, got a table with named fields"))
        let fin = try failure(#"local t = transform("f.lua")  network { { source.list { items = { {a = 1} } }, t }, { t, sink.stdout {} } }"#,
                              files: ["f.lua": "function run(r) return r end\nfunction finalize() return { total = 1 } end"])
        #expect(fin.contains("finalize() must return a list of records"))
    }

    @Test func duplicateExplicitNamesAreRejected() throws {
        let message = try failure(#"network { { source.list { name = "src", items = {} }, sink.stdout {} }, { source.list { name = "src", items = {} }, sink.stdout { name = "o2" } } }"#)
        #expect(message.contains("two nodes are named 'src'"))
    }

    @Test func networkExplainsNodesPassedInsteadOfEdges() throws {
        let message = try failure("local s = source.list { items = {} }\nnetwork { s, sink.stdout {} }")
        #expect(message.contains("network: entry 1 is a node, but network takes edges"))
    }

    @Test func cyclesNameOnlyTheNodesOnTheCycle() throws {
        let message = try failure("""
        local s = source.list { items = {} }
        local a, b = transform(function(r) return r end, { name = "a" }), transform(function(r) return r end, { name = "b" })
        network { { s, a, b, a }, { b, sink.stdout {} } }
        """)
        #expect(message.contains("cycle through 'a', 'b';"))
    }

    @Test func jsonErrorsInScriptsCarryTheirLocation() throws {
        let message = try failure(#"network { { source("j.lua"), sink.stdout {} } }"#,
                                  files: ["j.lua": "function run()\n  return json.decode('{')\nend"])
        #expect(message.contains("j.lua:2: invalid JSON at byte 2"))
    }

    @Test func txtSinksWriteNullAsEmptyAndTablesAsJSON() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"a":null}"# + "\n" + #"{"a":[1,2]}"# + "\n" + #"{"a":"x"}"# + "\n")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.jsonl" }, sink.file { path = "o.txt", field = "a" } } }"#)
        try ws.run()
        #expect(try ws.read("o.txt") == "\n[1,2]\nx\n")
    }
}
