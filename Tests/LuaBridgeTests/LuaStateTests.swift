import Testing
@testable import LuaBridge

@Suite struct LuaStateTests {
    @Test func callsAFunctionAndReadsResults() throws {
        let lua = try LuaState()
        let chunk = try lua.load(Array("return function(a, b) return a + b, a .. '' end".utf8), chunkName: "add.lua")
        let fn = try lua.callReturningRef(chunk, refArgs: [])
        let results = try lua.call(fn, [.integer(2), .integer(40)], results: 2)
        #expect(results == [.integer(42), .string("2")])
    }

    @Test func syntaxErrorsNameFileAndLine() throws {
        let lua = try LuaState()
        let error = #expect(throws: LuaError.self) {
            _ = try lua.load(Array("local x = 1\nlocal y = = 2\n".utf8), chunkName: "bad.lua")
        }
        #expect(error?.kind == .syntax)
        #expect(error?.location == SourceLocation(file: "bad.lua", line: 2))
    }

    @Test func runtimeErrorsCarryATraceback() throws {
        let lua = try LuaState()
        let chunk = try lua.load(Array("local function inner() error('boom') end\ninner()\n".utf8), chunkName: "t.lua")
        let error = #expect(throws: LuaError.self) { try lua.call(chunk) }
        #expect(error?.message == "t.lua:1: boom")
        #expect(error?.reason == "boom")
        #expect(error?.traceback?.contains("t.lua:2") == true)
    }

    @Test func hostFunctionErrorsAreRaisedAtTheCallingLine() throws {
        let lua = try LuaState()
        let table = lua.newTable()
        lua.register("fail", in: table) { _ in throw HostFunctionError("nope") }
        lua.register("twice", in: table) { args in [.integer((args[1].integerValue ?? 0) * 2)] }
        let chunk = try lua.load(Array("local host = ...\nassert(host.twice(21) == 42)\nhost.fail()\n".utf8), chunkName: "h.lua")
        let error = #expect(throws: LuaError.self) { try lua.call(chunk, refArgs: [table]) }
        #expect(error?.message == "h.lua:3: nope")
    }

    @Test func pcallInsideLuaCatchesHostErrorsWithoutCrossingSwift() throws {
        let lua = try LuaState()
        let table = lua.newTable()
        lua.register("fail", in: table) { _ in throw HostFunctionError("caught") }
        let chunk = try lua.load(Array("local host = ...\nlocal ok, e = pcall(host.fail)\nreturn ok, e".utf8), chunkName: "p.lua")
        let results = try lua.call(chunk, refArgs: [table], results: 2)
        #expect(results == [.boolean(false), .string("p.lua:2: caught")] || results[0] == .boolean(false))
    }

    @Test func memoryLimitStopsABomb() throws {
        let lua = try LuaState(memoryLimit: 8 << 20)
        let chunk = try lua.load(Array("local s = string.rep('x', 64 * 1024 * 1024)\nreturn #s".utf8), chunkName: "bomb.lua")
        let error = #expect(throws: LuaError.self) { try lua.call(chunk) }
        #expect(error?.kind == .memoryLimit)
        #expect(error?.message.contains("memory limit of 8 MB exceeded") == true)
        // The state stays usable after the failure.
        let ok = try lua.load(Array("return 1 + 1".utf8), chunkName: "ok.lua")
        #expect(try lua.call(ok, results: 1) == [.integer(2)])
    }

    @Test func instructionBudgetStopsAnEndlessLoopEvenUnderPcall() throws {
        let lua = try LuaState(instructionLimit: 1_000_000)
        let chunk = try lua.load(Array("for i = 1, 10 do pcall(function() while true do end end) end".utf8), chunkName: "loop.lua")
        let error = #expect(throws: LuaError.self) { try lua.call(chunk) }
        #expect(error?.kind == .instructionBudget)
        #expect(error?.message.contains("instruction budget exceeded") == true)
    }

    @Test func jsonRoundTripsThroughTheRegistry() throws {
        let lua = try LuaState()
        let ref = try lua.decodeJSON(Array(#"{"a":[],"b":null,"c":1.5,"d":2}"#.utf8))
        #expect(lua.field(ref, "d") == .integer(2))
        #expect(lua.field(ref, "c") == .number(1.5))
        let text = String(decoding: try lua.encodeJSON(ref), as: UTF8.self)
        for part in [#""a":[]"#, #""b":null"#, #""c":1.5"#, #""d":2"#] { #expect(text.contains(part)) }
    }
}
