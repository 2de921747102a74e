import Testing
@testable import LuaflowCore

@Suite struct ErrorReportingTests {
    private func workspace(input: String, transform: String) throws -> Workspace {
        let ws = try Workspace()
        try ws.write("in.jsonl", input)
        try ws.write("transforms/check.lua", transform)
        try ws.write("pipeline.lua", """
        local t = transform("transforms/check.lua")
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        return ws
    }

    @Test func aRuntimeErrorNamesNodeScriptLineRecordAndExcerpt() throws {
        let ws = try workspace(input: #"{"age":1}"# + "\n" + #"{"name":"x"}"# + "\n", transform: """
        function run(u)
          u.adult = u.age >= 18
          return u
        end
        """)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 1)
        #expect(failure.message.contains("node 'check' (run)"))
        #expect(failure.message.contains("transforms/check.lua:2: attempt to compare number with nil"))
        #expect(failure.message.contains(#"record 2 (in.jsonl:2): {"name":"x"}"#))
    }

    @Test func aMalformedJSONLinePointsAtFileAndLine() throws {
        let ws = try workspace(input: #"{"ok":1}"# + "\n\n" + #"{"broken": }"# + "\n", transform: "function run(x) return x end")
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("in.jsonl:3: invalid JSON at byte"))
        #expect(failure.exitCode == 1)
    }

    @Test func onErrorSkipCountsBadRecordsAndKeepsGoing() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", [#"{"n":1}"#, "not json", #"{"n":0}"#, #"{"n":4}"#].joined(separator: "\n"))
        try ws.write("pipeline.lua", """
        local src = source.file { path = "in.jsonl", on_error = "skip" }
        local t = transform(function(r) r.inv = 1 // r.n; return r end, { name = "inv", on_error = "skip" })
        network { { src, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        let summary = try ws.run()
        #expect(try ws.records("out.jsonl").map { $0["n"] as? Int } == [1, 4])
        #expect(summary.row("in.jsonl")?.errors == 1)
        #expect(summary.row("in.jsonl")?.recordsOut == 3)
        #expect(summary.row("inv")?.errors == 1)
    }

    @Test(arguments: ["jsonl", "json"])
    func badInputIsTheReadingNodesErrorWhateverTheFormat(format: String) throws {
        let ws = try Workspace()
        let text = format == "json" ? "[\n{\"a\": 1},\n{\"a\": tru}\n]" : "{\"a\": 1}\n{\"a\": tru}\n"
        try ws.write("in.\(format)", text)
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.\#(format)" }, sink.file { path = "out.jsonl" } } }"#)
        let failure = try #require(ws.failure())
        let badLine = format == "json" ? 3 : 2
        #expect(failure.message.contains("node 'in.\(format)' (read): in.\(format):\(badLine): invalid JSON at byte"), "\(failure.message)")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.\#(format)", on_error = "skip" }, sink.file { path = "out.jsonl" } } }"#)
        let summary = try ws.run()
        #expect(summary.row("in.\(format)")?.errors == 1)
        #expect(summary.row("in.\(format)")?.recordsOut == 1)
        #expect(try ws.read("out.jsonl") == "{\"a\": 1}\n" || ws.read("out.jsonl") == "{\"a\":1}\n")
    }

    @Test func syntaxErrorsAreConfigErrorsWithFileAndLine() throws {
        let ws = try workspace(input: "", transform: "function run(x)\n  return x +\nend\n")
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("transforms/check.lua:3:"))
    }

    @Test func aMissingScriptAndAMissingInputAreReportedTogether() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local t = transform("nope.lua")
        network { { source.file { path = "missing.jsonl" }, t }, { t, sink.stdout {} } }
        """)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("script nope.lua not found"))
        #expect(failure.message.contains("input file missing.jsonl not found"))
    }

    @Test func aValueThatCannotBeJSONIsReportedWithItsFieldPath() throws {
        let ws = try workspace(input: #"{"a":1}"# + "\n", transform: "function run(x) x.nested = { f = print }; return x end")
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("cannot be written as JSON"))
        #expect(failure.message.contains(".nested.f"))
    }

    @Test func aFailingSinkScriptStopsTheRunWithItsLocation() throws {
        let ws = try Workspace()
        try ws.write("flaky.lua", """
        local n = 0
        function run(item)
          n = n + 1
          if n == 3 then error("disk full") end
        end
        """)
        try ws.write("pipeline.lua", """
        local items = {}
        for i = 1, 10 do items[i] = { i = i } end
        network { { source.list { items = items }, sink("flaky.lua") } }
        """)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("flaky.lua:4: disk full"))
        #expect(failure.message.contains(#"record 3: {"i":3}"#))
    }

    @Test func secretsAreRedactedFromErrors() throws {
        let ws = try Workspace()
        try ws.write("leaky.lua", """
        schema = { token = { type = "secret", required = true } }
        function run() error("login failed with token " .. config.token) end
        """)
        try ws.write("pipeline.lua", #"network { { source("leaky.lua", { token = "s3cr3t-value-42" }), sink.stdout {} } }"#)
        let failure = try #require(ws.failure())
        #expect(failure.message.contains("login failed with token ***"))
        #expect(!failure.message.contains("s3cr3t-value-42"))
    }
}
