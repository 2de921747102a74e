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

    @Test func databaseNodesAreNamedAfterTheirTableOrQuery() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local a = source.sqlite { path = "data/app.db", table = "users" }
        local b = source.postgres { dsn = "x", query = "SELECT id FROM app.orders WHERE id > :cursor" }
        local c = source.postgres { dsn = "x", query = "select 1" }
        local d = sink.sqlite { path = "out.db", table = "people" }
        local e = sink.postgres { dsn = "x", table = "people" }
        local f = sink.postgres { name = "warehouse", dsn = "x", table = "people" }
        network { {a, d}, {b, e}, {c, f} }
        """)
        let nodes = try PipelineLoader.load(file: ws.path("pipeline.lua")).nodes
        #expect(nodes.map(\.name) == ["users", "app.orders", "postgres", "people", "people#2", "warehouse"])
        #expect(nodes.map(\.formerName) == ["app.db", "postgres", "postgres#2", "out.db", "postgres#3", nil],
                "the names earlier releases gave them, made unique as they were")
    }

    @Test func thePipelineIsNamedByItsDeclarationOrItsFile() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", "network { { source.list { items = {} }, sink.stdout {} } }")
        try ws.write("daily orders.lua", "network { { source.list { items = {} }, sink.stdout {} } }")
        try ws.write("named.lua", "pipeline { name = \"orders-v2\" }\nnetwork { { source.list { items = {} }, sink.stdout {} } }")
        #expect(try PipelineLoader.load(file: ws.path("pipeline.lua")).name == "pipeline")
        #expect(try PipelineLoader.load(file: ws.path("daily orders.lua")).name == "daily_orders")
        #expect(try PipelineLoader.load(file: ws.path("named.lua")).name == "orders-v2")
        try ws.write("twice.lua", "pipeline { name = \"a\" }\npipeline { name = \"b\" }")
        #expect(throws: PipelineError.self) { try PipelineLoader.load(file: ws.path("twice.lua")) }
        try ws.write("typo.lua", "pipeline { nmae = \"a\" }")
        let error = #expect(throws: PipelineError.self) { try PipelineLoader.load(file: ws.path("typo.lua")) }
        #expect(error?.message.contains("typo.lua:1: pipeline: unknown setting 'nmae' (settings: name)") == true, "\(String(describing: error))")
    }

    @Test func stateCommandsLoadWithoutResolvingEnvironmentValues() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { { source.list { items = {} }, sink.file { name = "out", path = "env:LF_UNSET_FOR_TEST" } } }"#)
        #expect(throws: PipelineErrors.self) { try PipelineLoader.load(file: ws.path("pipeline.lua")) }
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"), resolvingEnv: false)
        #expect(spec.nodes.map(\.name) == ["list", "out"])
        #expect(String(decoding: spec.nodes[1].configJSON, as: UTF8.self).contains("env:LF_UNSET_FOR_TEST"), "left as written")
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
