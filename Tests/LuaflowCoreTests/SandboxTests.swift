import Testing
@testable import LuaflowCore

/// Each escape attempt runs as a source's run() inside a real pipeline.
@Suite struct SandboxTests {
    private func attempt(_ body: String, options: String = "") throws -> (message: String, exitCode: Int32)? {
        let ws = try Workspace()
        try ws.write("escape.lua", "function run()\n\(body)\nend\n")
        try ws.write("pipeline.lua", #"network { { source("escape.lua", { \#(options) }), sink.stdout {} } }"#)
        return ws.failure()
    }

    @Test(arguments: [
        ("os.execute('touch /tmp/pwned')", "attempt to call a nil value (field 'execute')"),
        ("io.popen('id')", "attempt to call a nil value (field 'popen')"),
        ("package.loadlib('libc.so.6', 'system')", "attempt to index a nil value (global 'package')"),
        ("debug.getregistry()", "attempt to index a nil value (global 'debug')"),
        ("os.exit(3)", "attempt to call a nil value (field 'exit')"),
        ("dofile('/etc/passwd')", "attempt to call a nil value (global 'dofile')"),
        ("require('os')", "module not found"),
    ])
    func forbiddenFunctionsAreAbsent(code: String, expected: String) throws {
        let failure = try #require(try attempt(code))
        #expect(failure.message.contains(expected), "\(failure.message)")
        #expect(failure.exitCode == 1)
    }

    @Test func bytecodeCannotBeLoaded() throws {
        let failure = try #require(try attempt("""
        local chunk, err = load("\\27Lua\\84\\0 fake bytecode")
        assert(chunk == nil)
        error(err)
        """))
        #expect(failure.message.contains("attempt to load a binary chunk"))
        let mode = try #require(try attempt("load('return 1', 'x', 'b')"))
        #expect(mode.message.contains("only text chunks are allowed"))
    }

    @Test func stringDumpIsNotAvailable() throws {
        let failure = try #require(try attempt("return { s = string.dump(run) }"))
        #expect(failure.message.contains("attempt to call a nil value (field 'dump')"))
    }

    @Test func filesOutsideThePipelineDirectoryAreDenied() throws {
        let failure = try #require(try attempt("local f, err = io.open('/etc/passwd'); error(err)"))
        #expect(failure.message.contains("/etc/passwd: access denied"))
        let dotdot = try #require(try attempt("local f, err = io.open('../../../../etc/hostname'); error(err)"))
        #expect(dotdot.message.contains("access denied"))
    }

    @Test func filesInsideThePipelineDirectoryAreAllowed() throws {
        let ws = try Workspace()
        try ws.write("data/hello.txt", "hi there")
        try ws.write("lib/util.lua", "return { shout = function(s) return s:upper() end }")
        try ws.write("reader.lua", """
        local util = require("lib.util")
        local done = false
        function run()
          if done then return nil end
          done = true
          local f = assert(io.open("data/hello.txt"))
          local text = f:read("a")
          f:close()
          return { text = util.shout(text) }
        end
        """)
        try ws.write("pipeline.lua", #"network { { source("reader.lua"), sink.file { path = "out.jsonl" } } }"#)
        try ws.run()
        #expect(try ws.records("out.jsonl").first?["text"] as? String == "HI THERE")
    }

    @Test func aMemoryBombHitsTheLimit() throws {
        let failure = try #require(try attempt("local s = string.rep('x', 1 << 20)\nlocal t = {}\nfor i = 1, 1000 do t[i] = s .. i end",
                                               options: "memory_limit = 64"))
        #expect(failure.message.contains("memory limit of 64 MB exceeded"))
    }

    @Test func aHugeStringRepIsRefused() throws {
        let failure = try #require(try attempt("local s = string.rep('x', 1 << 40)"))
        #expect(failure.message.contains("memory limit") || failure.message.contains("too large"))
    }

    @Test func anEndlessLoopHitsTheInstructionBudget() throws {
        let failure = try #require(try attempt("while true do end", options: "instruction_limit = 1000000"))
        #expect(failure.message.contains("escape.lua:2: instruction budget exceeded"))
    }

    @Test func pcallCannotSwallowTheInstructionBudget() throws {
        let failure = try #require(try attempt("for i = 1, 100 do pcall(function() while true do end end) end",
                                               options: "instruction_limit = 1000000"))
        #expect(failure.message.contains("instruction budget exceeded"))
    }

    @Test func scriptsCannotReachTheRealGlobalsThroughMetatables() throws {
        let failure = try #require(try attempt("""
        local mt = getmetatable(_G)
        error("metatable: " .. tostring(mt))
        """))
        #expect(failure.message.contains("metatable: false"))
    }
}
