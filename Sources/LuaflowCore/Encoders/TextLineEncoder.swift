import CLuaShim
import LuaBridge

/// Text lines: one line per record, its `field` (a string as it is, a table as JSON), or the record
/// itself when it is no table (`lua/txt_sink.lua` formats it).
final class TextLineEncoder: RecordEncoder {
    var fileExtension: String { "txt" }
    var contentType: String { "text/plain; charset=utf-8" }
    private let lua: LuaState
    private let loop: LuaRecordLoop
    private let formatter: LuaRef

    /// Formats in `loop`'s Lua state.
    init(field: String, loop: LuaRecordLoop) throws {
        lua = loop.lua
        self.loop = loop
        formatter = try lua.callReturningRefs(try lua.load(BundledLua.txtSink.bytes, chunkName: BundledLua.txtSink.chunkName),
                                              refArgs: [lua.newString(field), try lua.jsonModule()], results: 1)[0]
    }

    func encode(_ batch: RecordBatch, into segment: () throws -> SegmentWriter) throws -> Int {
        var out = luaflow_buf()
        luaflow_buf_init(&out)
        defer { luaflow_buf_free(&out) }
        let outcome = try loop.run(batch, out: &out, configure: { $0.raw_text = 1 }) { [lua, formatter] io in
            try lua.runBatch(formatter, ignoringResults: false, io: &io)
        }
        if let data = out.data { try segment().write(data, count: out.len) }
        return outcome.produced
    }
}
