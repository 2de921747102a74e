import Testing
@testable import LuaBridge

/// The limits of a `LuaState` that scripts must not escape: a killed state stays dead through
/// pcall, xpcall and coroutines; pattern matching in C counts against the budget; the time limit
/// backs the count; finalizers are refused.
@Suite struct LimitTests {
    private func failure(_ code: String, in lua: LuaState) throws -> LuaError? {
        let chunk = try lua.load(Array(code.utf8), chunkName: "k.lua")
        return #expect(throws: LuaError.self) { try lua.call(chunk) }
    }

    @Test(arguments: [
        "local ok = xpcall(function() while true do end end, function() return 'handled' end)\nreturn ok",
        "local ok = xpcall(function() error('x') end, function() while true do end end)\nreturn ok",
        "local ok = coroutine.resume(coroutine.create(function() while true do end end))\nreturn ok",
        "local ok = pcall(coroutine.wrap(function() while true do end end))\nreturn ok",
        "local ok = pcall(function() while true do end end)\nreturn ok",
    ])
    func aKillCannotBeCaught(code: String) throws {
        let lua = try LuaState(instructionLimit: 1_000_000)
        let error = try failure(code, in: lua)
        #expect(error?.kind == .instructionBudget)
        #expect(error?.message.hasPrefix("k.lua:1: instruction budget exceeded") == true, "\(error?.message ?? "")")
        // The next call starts with a full budget.
        let ok = try lua.load(Array("return pcall(error, 'fine')".utf8), chunkName: "ok.lua")
        #expect(try lua.call(ok, results: 2) == [.boolean(false), .string("fine")])
    }

    @Test func patternMatchingCountsAgainstTheBudget() throws {
        let lua = try LuaState(instructionLimit: 10_000_000)
        let error = try failure(#"return ("a"):rep(5000):find(".-.-.-.-b")"#, in: lua)
        #expect(error?.kind == .instructionBudget)
        #expect(error?.location == SourceLocation(file: "k.lua", line: 1))
        let plain = try failure("local s = ('a'):rep(1000000)\nreturn s:find(('a'):rep(100000) .. 'b', 1, true)", in: lua)
        #expect(plain?.kind == .instructionBudget)
        #expect(plain?.location == SourceLocation(file: "k.lua", line: 2))
        let ordinary = try lua.load(Array(#"return ("key=value"):match("^(%w+)=(%w+)$")"#.utf8), chunkName: "ok.lua")
        #expect(try lua.call(ordinary, results: 2) == [.string("key"), .string("value")])
    }

    @Test func theTimeLimitStopsWhatTheCountDoesNot() throws {
        let lua = try LuaState(instructionLimit: 0, timeLimit: 0.2)
        let error = try failure("while true do end", in: lua)
        #expect(error?.kind == .timeLimit)
        #expect(error?.message.hasPrefix("k.lua:1: time limit exceeded") == true, "\(error?.message ?? "")")
        let pattern = try failure(#"return ("a"):rep(5000):find(".-.-.-.-b")"#, in: lua)
        #expect(pattern?.kind == .timeLimit)
    }

    @Test func finalizersAreRefused() throws {
        let lua = try LuaState()
        let error = try failure("setmetatable({}, { __gc = function() end })", in: lua)
        #expect(error?.message.hasPrefix("k.lua:1: setmetatable: __gc finalizers are not allowed") == true)
        let plain = try lua.load(Array("return getmetatable(setmetatable({}, { __index = {} })) ~= nil".utf8), chunkName: "ok.lua")
        #expect(try lua.call(plain, results: 1) == [.boolean(true)])
    }
}
