import Foundation
import Testing
@testable import LuaflowCore

/// pipeline.lua < config file tables < --set, then env:NAME resolution (PipelineLoader).
@Suite struct ConfigLayerTests {
    static func config(_ spec: PipelineSpec, _ node: Int = 0) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(spec.nodes[node].configJSON)) as? [String: Any] ?? [:]
    }

    @Test func layersMergeKeyByKeyAndSetWins() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { { source.list { name = "src", items = {}, auth = { user = "a", pass = "b" }, ratio = 1 }, sink.stdout {} } }"#)
        let layers = #"{"src": {"auth": {"user": "z"}, "ratio": 2.0, "label": "file"}}"#
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"), overrides: [PipelineLoader.Override("src.label=set")!],
                                           nodeConfigs: Array(layers.utf8))
        let text = String(decoding: spec.nodes[0].configJSON, as: UTF8.self)
        #expect(text.contains(#""ratio":2.0"#), "\(text)")
        let config = try Self.config(spec)
        #expect(config["auth"] as? [String: String] == ["user": "z"])
        #expect(config["label"] as? String == "set")
    }

    @Test func envReferencesResolveAtAnyDepthAndAreRedacted() throws {
        setenv("LF_CORE_TEST_NESTED", "nested-value-17", 1)
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        network { { source.list { name = "src", items = { { token = "env:LF_CORE_TEST_NESTED" } },
                                  note = "env: not a reference", plain = "xenv:LF_CORE_TEST_NESTED" }, sink.stdout {} } }
        """)
        let spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        let config = try Self.config(spec)
        #expect((config["items"] as? [[String: String]])?.first?["token"] == "nested-value-17")
        #expect(config["note"] as? String == "env: not a reference")
        #expect(config["plain"] as? String == "xenv:LF_CORE_TEST_NESTED")
        #expect(Redactor.shared.redact("token nested-value-17") == "token ***")
    }

    @Test func unsetVariablesAreReportedTogetherWithNodeKeyAndLine() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        local a = source.list { name = "a", items = {}, auth = { token = "env:LF_CORE_TEST_UNSET_1" } }
        local b = source.list { name = "b", items = {}, key = "env:LF_CORE_TEST_UNSET_2" }
        network { { a, sink.stdout {} }, { b, sink.stdout {} } }
        """)
        let error = #expect(throws: PipelineErrors.self) { try PipelineLoader.load(file: ws.path("pipeline.lua")) }
        #expect(error?.exitCode == 2)
        #expect(error?.errors.map(\.description) == [
            #"node 'a' (config): config.auth.token: environment variable LF_CORE_TEST_UNSET_1 is not set (the config says "env:LF_CORE_TEST_UNSET_1") (in pipeline.lua:1)"#,
            #"node 'b' (config): config.key: environment variable LF_CORE_TEST_UNSET_2 is not set (the config says "env:LF_CORE_TEST_UNSET_2") (in pipeline.lua:2)"#,
        ])
    }

    @Test func aConfigFileNamingAnUnknownNodeListsTheNodes() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", #"network { { source.list { items = {} }, sink.stdout {} } }"#)
        let error = #expect(throws: PipelineError.self) {
            try PipelineLoader.load(file: ws.path("pipeline.lua"), nodeConfigs: Array(#"{"lst": {}}"#.utf8))
        }
        #expect(error?.message == "config file: no node named 'lst' (nodes: list, stdout)")
    }
}
