import Testing
@testable import LuaflowCore

@Suite struct PipelineGraphTests {
    private func graphError(_ pipeline: String) throws -> String {
        let ws = try Workspace()
        try ws.write("t.lua", "function run(x) return x end")
        try ws.write("pipeline.lua", pipeline)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        do {
            _ = try PipelineGraph(spec)
            return ""
        } catch let error as PipelineErrors {
            #expect(error.exitCode == 2)
            return error.description
        }
    }

    @Test func cyclesAreRejected() throws {
        let message = try graphError("""
        local s = source.list { items = {} }
        local a, b = transform("t.lua", { name = "a" }), transform("t.lua", { name = "b" })
        network { {s, a}, {a, b}, {b, a}, {b, sink.stdout {}} }
        """)
        #expect(message.contains("cycle through 'a', 'b'"))
    }

    @Test func nodesThatReachNoSinkAreRejected() throws {
        let message = try graphError("""
        local s = source.list { items = {} }
        local dead = transform("t.lua", { name = "dead_end" })
        network { {s, dead}, {s, sink.stdout {}} }
        """)
        #expect(message.contains("node 'dead_end' (network): no path from this node to a sink"))
        #expect(message.contains("pipeline.lua:2"))
    }

    @Test func sinksCannotFeedAndSourcesCannotReceive() throws {
        let message = try graphError("""
        local s, s2 = source.list { items = {} }, source.list { items = {} }
        local o = sink.stdout {}
        network { {s, o}, {o, s2} }
        """)
        #expect(message.contains("a sink cannot feed another node"))
        #expect(message.contains("a source cannot receive records"))
    }

    @Test func aMissingNetworkIsExplained() throws {
        #expect(try graphError("local s = source.list { items = {} }").contains("declares no network"))
    }

    @Test func topologicalOrderPutsSourcesFirst() throws {
        let ws = try Workspace()
        try ws.write("t.lua", "function run(x) return x end")
        try ws.write("pipeline.lua", """
        local o = sink.stdout {}
        local t = transform("t.lua")
        local s = source.list { items = {} }
        network { {t, o}, {s, t} }
        """)
        let graph = try PipelineGraph(try PipelineLoader.load(file: ws.path("pipeline.lua")))
        #expect(graph.order.map { graph.node($0).name } == ["list", "t", "stdout"])
    }
}
