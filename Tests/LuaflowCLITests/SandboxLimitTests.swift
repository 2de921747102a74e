import Foundation
import Testing
import TestSupport

/// Red-team tests of the limits (issue 13): each runs a small pipeline through the built binary
/// whose script `attack.lua` tries to escape the instruction budget, the time limit, the memory
/// limit or the record size limit, and checks that the run stops, in bounded time, with the
/// limit's error at the attacking line.
@Suite struct SandboxLimitTests {
    /// Far above any of these runs; a run still going then escaped its limits.
    static let killAfter = 60.0

    /// Runs `attack.lua` (`script`) as a source named `attack`, or as a transform named `attack`
    /// fed two records, with `options` added to its config.
    private func attack(_ script: String, transform: Bool = false, options: String = "") throws -> LuaflowBinary.Result {
        let dir = try LuaflowBinary.workspace()
        try dir.write("attack.lua", script)
        try dir.write("in.jsonl", "{\"id\":1}\n{\"id\":2}\n")
        let node = transform ? #"transform("attack.lua", { name = "attack", \#(options) })"#
                             : #"source("attack.lua", { name = "attack", \#(options) })"#
        let wiring = transform ? "{ source.file { path = \"in.jsonl\" }, node }, { node, sink.stdout {} }"
                               : "{ node, sink.stdout {} }"
        try dir.write("pipeline.lua", "local node = \(node)\nnetwork { \(wiring) }\n")
        return try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, killAfter: Self.killAfter)
    }

    /// The run ended by itself, failed, and said each of `texts`.
    private func expectStopped(_ result: LuaflowBinary.Result, _ texts: String..., exitCode: Int32 = 1,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!result.timedOut, "still running after \(Self.killAfter) s", sourceLocation: sourceLocation)
        #expect(result.exitCode == exitCode, "\(result.stderr)", sourceLocation: sourceLocation)
        for text in texts {
            #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
        }
    }

    static let budget = "instruction_limit = 1000000"
    static let budgetError = "instruction budget exceeded"

    // MARK: Instruction budget

    @Test func pcallInALoopCannotSwallowTheBudget() throws {
        let result = try attack("""
        function run()
          while true do pcall(function() while true do end end) end
        end
        """, options: Self.budget)
        expectStopped(result, "node 'attack' (run)", "attack.lua:2: \(Self.budgetError)")
    }

    @Test func pcallThatReturnsNormallyStillFails() throws {
        let result = try attack("""
        function run(r)
          pcall(function() while true do end end)
          return r
        end
        """, transform: true, options: Self.budget)
        expectStopped(result, "attack.lua:2: \(Self.budgetError)", "record 1")
    }

    @Test func aLoopingXpcallHandlerIsStopped() throws {
        let result = try attack("""
        function run()
          while true do
            xpcall(function() error("boom") end, function() while true do end end)
          end
        end
        """, options: Self.budget)
        expectStopped(result, "attack.lua:3: \(Self.budgetError)")
    }

    @Test func aLoopInACoroutineIsReportedAtItsLine() throws {
        let wrapped = try attack("""
        function run(r)
          local co = coroutine.wrap(function()
            while true do end
          end)
          pcall(co)
          return r
        end
        """, transform: true, options: Self.budget)
        expectStopped(wrapped, "attack.lua:3: \(Self.budgetError)", "record 1")
        #expect(!wrapped.stderr.contains("cannot be written as JSON"))
        let resumed = try attack("""
        function run(r)
          local ok, err = coroutine.resume(coroutine.create(function()
            while true do end
          end))
          return { ok = ok }
        end
        """, transform: true, options: Self.budget)
        expectStopped(resumed, "attack.lua:3: \(Self.budgetError)", "record 1")
    }

    @Test(arguments: [
        #"("a"):rep(5000):find(".-.-.-.-b")"#,
        #"("a"):rep(5000):match("(.-)(.-)(.-)(.-)b")"#,
        #"("a"):rep(5000):gsub(".-.-.-.-b", "")"#,
        #"for m in ("a"):rep(5000):gmatch(".-.-.-.-b") do end"#,
    ])
    func aBacktrackingPatternIsStopped(pattern: String) throws {
        let result = try attack("function run()\n  \(pattern)\nend\n", options: "instruction_limit = 10000000")
        expectStopped(result, "attack.lua:2: \(Self.budgetError)")
    }

    @Test func finalizersAreRefused() throws {
        let direct = try attack("""
        function run()
          setmetatable({}, { __gc = function() while true do end end })
        end
        """)
        expectStopped(direct, "attack.lua:2: setmetatable: __gc finalizers are not allowed")
        let later = try attack("""
        local mt = { __gc = true }
        setmetatable({}, mt)
        """)
        expectStopped(later, "attack.lua:2: setmetatable: __gc finalizers are not allowed", exitCode: 2)
        let hostTable = try attack("""
        function run()
          local mt = getmetatable(json.array({}))
          mt.__gc = function() while true do end end
        end
        """)
        expectStopped(hostTable, "attack.lua:3: attempt to index a string value")
    }

    // MARK: Time limit

    @Test func theTimeLimitStopsALoopWithoutAnInstructionBudget() throws {
        let result = try attack("""
        function run()
          while true do end
        end
        """, options: "instruction_limit = 0, time_limit = 1")
        expectStopped(result, "attack.lua:2: time limit exceeded: a call ran longer than 1 s", "raise the node's time_limit")
    }

    @Test func theTimeLimitStopsAPatternWithoutAnInstructionBudget() throws {
        let result = try attack("""
        function run()
          return { at = ("a"):rep(5000):find(".-.-.-.-b") }
        end
        """, options: "instruction_limit = 0, time_limit = 1")
        expectStopped(result, "attack.lua:2: time limit exceeded")
    }

    @Test func aWrongTimeoutIsAConfigError() throws {
        let result = try attack("function run() end", options: "time_limit = 'soon'")
        expectStopped(result, "config.time_limit: expected a number, got the string 'soon'", exitCode: 2)
    }

    // MARK: Memory and record size

    @Test func emitBuffersCountAgainstTheMemoryLimit() throws {
        let result = try attack("""
        function run()
          local s = ("x"):rep(10 * 1000 * 1000)
          for i = 1, 150 do
            emit({ s = s })
          end
        end
        """, options: "memory_limit = 64")
        expectStopped(result, "attack.lua:4: memory limit of 64 MB exceeded")
    }

    @Test func aRecordLargerThanMaxRecordBytesIsAnError() throws {
        let result = try attack("""
        function run(r)
          local s = ("x"):rep(1000 * 1000)
          local big = {}
          for i = 1, 1000 do big[i] = s end
          return { big = big }
        end
        """, transform: true)
        expectStopped(result, "node 'attack' (run)", "output record is larger than max_record_bytes (67108864 bytes",
                      "record 1")
        let small = try attack("function run(r) return { s = ('x'):rep(2000) } end", transform: true,
                               options: "max_record_bytes = 1000")
        expectStopped(small, "larger than max_record_bytes (1000 bytes", "record 1")
    }

    @Test func encodingAHugeRecordHitsTheMemoryLimit() throws {
        let result = try attack("""
        function run(r)
          local s = ("x"):rep(1000 * 1000)
          local big = {}
          for i = 1, 1000 do big[i] = s end
          return { big = big }
        end
        """, transform: true, options: "memory_limit = 32, max_record_bytes = 0")
        expectStopped(result, "memory limit of 32 MB exceeded", "record 1")
        let encoded = try attack("""
        function run()
          local s = ("x"):rep(1000 * 1000)
          local big = {}
          for i = 1, 1000 do big[i] = s end
          return { n = #json.encode(big) }
        end
        """, options: "memory_limit = 32")
        expectStopped(encoded, "attack.lua:5: memory limit of 32 MB exceeded")
    }

    // MARK: Config files

    @Test func aYAMLAliasBombIsRefused() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", "function run() end")
        try dir.write("pipeline.lua", #"network { { source("src.lua", { name = "src" }), sink.stdout {} } }"#)
        var yaml = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for (name, previous) in zip("bcdefghi", "abcdefgh") {
            yaml += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]\n"
        }
        try dir.write("bomb.yaml", yaml)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "bomb.yaml"], in: dir, killAfter: Self.killAfter)
        expectStopped(result, "config file bomb.yaml: its aliases expand to more than 1000000 values", exitCode: 2)
    }

    @Test func anOversizedConfigFileIsRefused() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", "function run() end")
        try dir.write("pipeline.lua", #"network { { source("src.lua", { name = "src" }), sink.stdout {} } }"#)
        try dir.write("big.yaml", String(repeating: "# padding padding padding padding\n", count: 500_000))
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "big.yaml"], in: dir, killAfter: Self.killAfter)
        expectStopped(result, "config file big.yaml:", "larger than the 16 MB a config file may have", exitCode: 2)
    }

    // MARK: Already contained (regression)

    @Test func deepRecursionStops() throws {
        let result = try attack("""
        local function f() return 1 + f() end
        function run() return { n = f() } end
        """)
        expectStopped(result, "attack.lua:1: stack overflow")
    }

    @Test func stringRepAndTableConcatBombsHitTheMemoryLimit() throws {
        let rep = try attack("function run()\n  return { s = string.rep('x', 1 << 40) }\nend\n", options: "memory_limit = 64")
        expectStopped(rep, "attack.lua:2:")
        #expect(rep.stderr.contains("memory limit of 64 MB exceeded") || rep.stderr.contains("resulting string too large"))
        let concat = try attack("""
        function run()
          local s, t = ("x"):rep(1 << 20), {}
          for i = 1, 1000 do t[i] = s end
          return { s = table.concat(t) }
        end
        """, options: "memory_limit = 64")
        expectStopped(concat, "attack.lua:4: memory limit of 64 MB exceeded")
    }

    @Test func aSwallowedBudgetErrorStillFailsTheRun() throws {
        let result = try attack("""
        function run()
          for i = 1, 100 do pcall(function() while true do end end) end
        end
        """, options: Self.budget)
        expectStopped(result, "attack.lua:2: \(Self.budgetError)")
    }

    @Test func collectgarbageCannotStopTheCollector() throws {
        let result = try attack("function run()\n  collectgarbage('stop')\nend\n")
        expectStopped(result, "attack.lua:2: collectgarbage('stop') is not allowed")
    }
}
