import Testing
@testable import LuaflowCore

@Suite struct PipelineLoaderTests {
    @Test func readsNodesEdgesNamesAndLines() throws {
        let ws = try Workspace()
        try ws.write("t.lua", "function run(x) return x end")
        try ws.write("pipeline.lua", """
        local a = source.list { items = { {n = 1} } }
        local b = transform("t.lua", { name = "clean" })
        local c = transform("t.lua")
        local d = sink.stdout {}
        network { {a, b, c}, {c, d} }
        """)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        #expect(spec.nodes.map(\.name) == ["list", "clean", "t", "stdout"])
        #expect(spec.nodes.map(\.line) == [1, 2, 3, 4])
        #expect(spec.edges.map { [$0.from, $0.to] } == [[1, 2], [2, 3], [3, 4]])
        #expect(spec.networkLine == 5)
    }

    @Test func duplicateNamesGetSuffixes() throws {
        let ws = try Workspace()
        try ws.write("t.lua", "function run(x) return x end")
        try ws.write("pipeline.lua", """
        local s = source.list { items = {} }
        local a, b = transform("t.lua"), transform("t.lua")
        local o = sink.stdout {}
        network { {s, a}, {a, b}, {b, o} }
        """)
        #expect(try PipelineLoader.load(file: ws.path("pipeline.lua")).nodes.map(\.name) == ["list", "t", "t#2", "stdout"])
    }

    @Test func misspelledNodeInANetworkEdgePointsAtTheLine() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local users = source.list { items = {} }
        local out = sink.stdout {}
        network {
          { usres, out },
        }
        """)
        let error = #expect(throws: PipelineError.self) { try PipelineLoader.load(file: ws.path("pipeline.lua")) }
        #expect(error?.category == .config)
        #expect(error?.message.contains("pipeline.lua:3:") == true)
        #expect(error?.message.contains("edge 1, position 1: expected a node, got nil (is the variable name spelled right?)") == true)
    }

    @Test func inlineFunctionsMayNotCaptureLocals() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local factor = 2
        local t = transform(function(x) x.v = x.v * factor; return x end)
        """)
        let error = #expect(throws: PipelineError.self) { try PipelineLoader.load(file: ws.path("pipeline.lua")) }
        #expect(error?.message.contains("pipeline.lua:2:") == true)
        #expect(error?.message.contains("uses the local variable 'factor'") == true)
    }

    @Test func setOverridesParseJSONOrFallBackToStrings() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local a = source.list { name = "src.v1", items = {} }
        network { {a, sink.stdout {}} }
        """)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"),
                                           overrides: ["src.v1.max_items=5", "src.v1.label=hello world"].compactMap(PipelineLoader.Override.init))
        let config = String(decoding: spec.nodes[0].configJSON, as: UTF8.self)
        #expect(config.contains(#""max_items":5"#))
        #expect(config.contains(#""label":"hello world""#))
        #expect(spec.nodes[0].options.maxItems == 5)
    }

    @Test func setOnAnUnknownNodeListsTheNodes() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", "network { {source.list { items = {} }, sink.stdout {}} }")
        let error = #expect(throws: PipelineError.self) {
            try PipelineLoader.load(file: ws.path("pipeline.lua"), overrides: [PipelineLoader.Override("nope.x=1")!])
        }
        #expect(error?.message.contains("--set nope.x: no node of that name (nodes: list, stdout)") == true)
    }

    @Test func missingPipelineFileIsAConfigError() throws {
        let error = #expect(throws: PipelineError.self) { try PipelineLoader.load(file: "/nonexistent/pipeline.lua") }
        #expect(error?.exitCode == 2)
    }

    @Test func wrongOptionTypeIsReportedWhenTheNodeLoads() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { {source.list { items = {}, max_items = "ten" }, sink.stdout {}} }"#)
        let failure = try #require(ws.failure())
        #expect(failure.exitCode == 2)
        #expect(failure.message.contains("config.max_items: expected an integer, got the string 'ten' (in pipeline.lua:1)"), "\(failure.message)")
    }
}
