import Foundation
import Testing
@testable import LuaflowCore

/// `--limit`'s preview: which sinks are redirected, where, and with what config.
@Suite struct PipelinePreviewTests {
    @Test func everySinkButStdoutWritesUnderThePreviewDirectory() throws {
        let ws = try Workspace()
        try ws.write("pipeline.lua", """
        pipeline { name = "shop" }
        local rows = source.list { items = {} }
        network { { rows, sink.file { path = "out/{time}.csv", mode = "append", rotate = { every = "1h" }, columns = { "id" } } },
                  { rows, sink.postgres { dsn = "x", table = "orders", on_error = "dead_letter" } },
                  { rows, sink.stdout {} } }
        """)
        var spec = try PipelineLoader.load(file: ws.path("pipeline.lua"))
        let preview = PipelinePreview.redirect(&spec)
        #expect(preview.directory == ".luaflow/preview/shop")
        #expect(preview.outputs == [
            .init(node: "_time_.csv", what: "sink.file", path: ".luaflow/preview/shop/_time_.csv/_time_.csv"),
            .init(node: "orders", what: "sink.postgres", path: ".luaflow/preview/shop/orders/records.jsonl"),
        ])
        let file = try #require(try JSONSerialization.jsonObject(with: Data(spec.nodes[1].configJSON)) as? [String: Any])
        #expect(file["path"] as? String == ".luaflow/preview/shop/_time_.csv/_time_.csv")
        #expect(file["mode"] == nil && file["rotate"] == nil, "written afresh: never appended to, never rotated")
        #expect(file["columns"] as? [String] == ["id"], "the format and columns stay")
        let database = try #require(try JSONSerialization.jsonObject(with: Data(spec.nodes[2].configJSON)) as? [String: Any])
        #expect(database.keys.sorted() == ["format", "on_error", "path"], "nothing of the database's config reaches the stand-in")
        guard case .builtin("file") = spec.nodes[2].implementation else { Issue.record("not redirected"); return }
        guard case .builtin("stdout") = spec.nodes[3].implementation else { Issue.record("stdout redirected"); return }
    }
}
