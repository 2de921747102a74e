import Foundation
import Testing

@Suite struct CheckCommandTests {
    @Test func aGoodPipelineIsOkAndChecksSourcesAndSinks() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", """
        schema = { n = { type = "integer", default = 3 } }
        local ready = false
        function init() ready = true end
        function check() return ready end
        function run() end
        """)
        try dir.write("out.lua", "function check() return true end\nfunction run(x) end")
        try dir.write("pipeline.lua", #"network { { source("src.lua"), transform(function(x) return x end), sink("out.lua") } }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("src     source     ok"))
        #expect(result.stdout.contains("inline  transform  ok"))
        #expect(result.stdout.contains("out     sink       ok"))
        #expect(result.stdout.contains("all 3 nodes ok"))
    }

    @Test func everyKindOfProblemIsReportedPerNodeAndExitsTwo() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("needs_n.lua", "schema = { n = { type = 'integer', required = true } }\nfunction run() end")
        try dir.write("syntax.lua", "function run()\n  return {\nend")
        try dir.write("refuses.lua", "function run() end\n\nfunction check()\n  return false, 'GET /me answered 401'\nend")
        try dir.write("false.lua", "function run() end\nfunction check() return false end")
        try dir.write("raises.lua", "function run(x) end\nfunction check()\n  error('cannot connect to db')\nend")
        try dir.write("fine.lua", "function run() end\nfunction check() return true end")
        try dir.write("pipeline.lua", """
        local s = sink("raises.lua")
        network {
          { source("needs_n.lua", { n = "x" }), s },
          { source("syntax.lua"), s },
          { source("refuses.lua"), s },
          { source("false.lua"), s },
          { source("fine.lua"), s },
        }
        """)
        let result = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(result.exitCode == 2)
        let out = result.stdout
        #expect(out.contains("needs_n  source  config: config.n: expected an integer, got the string 'x' (in pipeline.lua:3, checked by needs_n.lua)"), "\(out)")
        #expect(out.contains("syntax   source  load: syntax.lua:3:"), "\(out)")
        #expect(out.contains("refuses  source  check: refuses.lua:3: check() returned false: GET /me answered 401"), "\(out)")
        #expect(out.contains("false    source  check: false.lua:2: check() returned false"), "\(out)")
        #expect(out.contains("fine     source  ok"), "\(out)")
        #expect(out.contains("raises   sink    check: raises.lua:3: cannot connect to db"), "\(out)")
        #expect(out.contains("5 of 6 nodes have problems"), "\(out)")
    }

    @Test func jsonOutputAndPipelineErrors() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", "function run() end\nfunction check() return nil, 'no route' end")
        try dir.write("pipeline.lua", #"network { { source("src.lua"), sink.stdout {} } }"#)
        let result = try LuaflowBinary.run(["check", "pipeline.lua", "--log-format", "json"], in: dir)
        #expect(result.exitCode == 2)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["ok"] as? Bool == false)
        let nodes = object?["nodes"] as? [[String: Any]] ?? []
        #expect(nodes.first?["problems"] as? [String] == ["check: src.lua:2: check() returned nil: no route"])
        #expect(nodes.last?["ok"] as? Bool == true)

        try dir.write("cycle.lua", "network { { source.list { items = {} }, nope } }")
        let broken = try LuaflowBinary.run(["check", "cycle.lua"], in: dir)
        #expect(broken.exitCode == 2)
        #expect(broken.stderr.contains("cycle.lua:1"))
    }
}
