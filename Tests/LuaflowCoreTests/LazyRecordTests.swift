import Foundation
import Testing
@testable import LuaflowCore

/// Lazy records must behave like plain tables: every transform here runs twice, with lazy records
/// and with `lazy_records = false`, and the outputs must be equal as JSON.
@Suite struct LazyRecordTests {
    static let input = [
        #"{"id":1,"name":"ada","tags":["x","y"],"address":{"city":"Oslo"},"gone":null,"n":2.5,"e":1e300}"#,
        #"{"id":2,"name":"bob","tags":[],"address":{"city":"Lyon"},"gone":"here","n":-3,"e":0.1}"#,
        #"{"id":3,"name":"c\"q\u00e9","tags":[1,2,3],"address":{},"gone":false,"n":0,"e":-0.0}"#,
    ].joined(separator: "\n") + "\n"

    private func outputs(_ transform: String) throws -> (lazy: [NSDictionary], eager: [NSDictionary]) {
        let ws = try Workspace()
        try ws.write("in.jsonl", Self.input)
        try ws.write("t.lua", transform)
        try ws.write("pipeline.lua", """
        local src = source.file { path = "in.jsonl" }
        local lazy = transform("t.lua", { name = "lazy" })
        local eager = transform("t.lua", { name = "eager", lazy_records = false })
        network {
          { src, lazy }, { lazy, sink.file { path = "lazy.jsonl" } },
          { src, eager }, { eager, sink.file { path = "eager.jsonl" } },
        }
        """)
        try ws.run()
        return (try ws.records("lazy.jsonl").map { $0 as NSDictionary }, try ws.records("eager.jsonl").map { $0 as NSDictionary })
    }

    @Test(arguments: [
        "function run(r) return r end",
        "function run(r) r.name = r.name:upper(); r.big = r.id > 1; return r end",
        "function run(r) r.gone = nil; r.tags = nil; return r end",
        "function run(r) r.gone = nil; r.gone = 'back'; return r end",
        "function run(r) r.address.city = (r.address.city or '?') .. '!'; table.insert(r.tags, 'new'); return r end",
        "function run(r) local t = r.tags; t[#t + 1] = #t; return r end",
        "function run(r) local out = {} for k, v in pairs(r) do out[k] = v end out.count = 0 for _ in pairs(r) do out.count = out.count + 1 end return out end",
        "function run(r) local c = 0 for k in pairs(r) do c = c + 1 end r.fields = c; r.id = nil; return r end",
        "function run(r) return { copy = r, kind = type(r), name_len = #r.name, missing = r.nope == nil } end",
        "function run(r) r[1] = 'one'; return r end",
        "function run(r) r.e = r.e * 2; r.n = math.type(r.n); return r end",
        "function run(r) emit(r.address); return json.decode(json.encode(r)) end",
    ])
    func lazyAndEagerRecordsBehaveAlike(transform: String) throws {
        let (lazy, eager) = try outputs(transform)
        #expect(lazy.count == eager.count)
        #expect(lazy == eager, "\(lazy) vs \(eager)")
    }

    @Test func untouchedFieldsKeepTheirTextAndOrder() throws {
        let (lazy, _) = try outputs("function run(r) r.extra = 1; return r end")
        #expect(lazy.count == 3)
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"z":1,"a":1.50,"m":[ 1, 2 ]}"# + "\n")
        try ws.write("pipeline.lua", """
        local t = transform(function(r) r.added = true; return r end)
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        try ws.run()
        #expect(try ws.read("out.jsonl") == #"{"z":1,"a":1.50,"m":[ 1, 2 ],"added":true}"# + "\n")
    }

    @Test func metatablesOfRecordsAreProtected() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"a":1}"# + "\n")
        try ws.write("pipeline.lua", """
        local t = transform(function(r) setmetatable(r, {}); return r end)
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.stdout {} } }
        """)
        #expect(ws.failure()?.message.contains("cannot change a protected metatable") == true)
    }
}

@Suite struct KeyOrderTests {
    @Test func outputIsByteForByteReproducible() throws {
        let ws = try Workspace()
        try ws.write("src.lua", "local n = 0\nfunction run() n = n + 1; if n <= 3 then return { zeta = n, alpha = 2, mid = { z = 1, a = 2 } } end end")
        try ws.write("pipeline.lua", """
        local t = transform(function(r) r.yy = 1; r.bb = 2; r.zeta = nil; return r end)
        network { { source("src.lua"), t }, { t, sink.file { path = "out.jsonl" } }, { t, sink.file { path = "out.csv" } } }
        """)
        var outputs: Set<String> = []
        for _ in 0..<4 {
            try ws.run()
            outputs.insert(try ws.read("out.jsonl") + ws.read("out.csv"))
        }
        #expect(outputs.count == 1)
        // Plain tables are written with sorted keys; keys added to a record come after its own, in assignment order.
        #expect(try ws.read("out.jsonl").hasPrefix(#"{"alpha":2,"mid":{"a":2,"z":1},"yy":1,"bb":2}"#))
        #expect(try ws.read("out.csv").hasPrefix("alpha,mid,yy,bb\n"))
    }
}
