import Foundation
import Testing
import TestSupport

/// Red-team tests of the sandbox, through the built binary. Each pipeline runs an attacking
/// transform next to a victim transform (fused into one Lua state unless `--no-fuse`) whose
/// secret token is given with `--set`; each test asserts that the attack failed at its own line
/// or had no effect, that nothing was written outside the allowed directories, and that the
/// secret appears nowhere: not on stdout or stderr, not in any file the run left behind.
@Suite struct SandboxIsolationTests {
    /// The victim's token, given with `--set victim.token=...`.
    static let secret = "s3cr3t-T0KEN-4f9a"

    /// A pipeline directory with `in.jsonl` → victim → attack → `out/result.jsonl` (attack first
    /// when `attackFirst`), and a directory `outside` beside it that no script may use, except
    /// `outside/victim`, which the user configured for the victim (`out_dir`). `OUTSIDE` in the
    /// attack script stands for that directory's path.
    struct Arena {
        let dir: URL
        let outside: URL

        init(attack: String, attackFirst: Bool = false) throws {
            dir = try LuaflowBinary.workspace()
            outside = try LuaflowBinary.workspace()
            try FileManager.default.createDirectory(at: outside.appendingPathComponent("victim"), withIntermediateDirectories: true)
            try dir.write("in.jsonl", #"{"id":1,"note":null}"# + "\n" + #"{"id":2,"note":"hi"}"# + "\n")
            try dir.write("victim.lua", """
            schema = {
              token = { type = "secret", required = true },
              out_dir = { type = "path" },
            }

            function init()
              local f = assert(io.open(config.out_dir .. "/victim.txt", "w"))
              f:write("the victim may write here")
              f:close()
            end

            function run(r)
              token_copy = config.token
              local header = string.format("Bearer %s", config.token)
              local body = json.encode({ authorization = header })
              r.header_length = #table.concat({ "Bearer", config.token }, " ") + #(("bearer " .. config.token):upper()) + #body
              r.note_is_null = r.note == json.null
              r.signature = #(r.id .. config.token)
              return r
            end
            """)
            try dir.write("attack.lua", attack.replacingOccurrences(of: "OUTSIDE", with: outside.path))
            let order = attackFirst ? "{ input, attack }, { attack, victim }, { victim, out }"
                                    : "{ input, victim }, { victim, attack }, { attack, out }"
            try dir.write("pipeline.lua", """
            local input = source.file { path = "in.jsonl" }
            local victim = transform("victim.lua", { name = "victim", out_dir = "\(outside.path)/victim" })
            local attack = transform("attack.lua", { name = "attack" })
            local out = sink.file { path = "out/result.jsonl" }
            network { \(order) }
            """)
        }

        /// Runs the pipeline with the victim's token set; `fuse: false` adds `--no-fuse`. `OUTSIDE`
        /// in an environment value stands for the outside directory's path.
        func run(fuse: Bool = true, _ args: [String] = [], environment: [String: String] = [:]) throws -> LuaflowBinary.Result {
            try LuaflowBinary.run(["run", "pipeline.lua", "--set", "victim.token=\(SandboxIsolationTests.secret)"] + args
                                  + (fuse ? [] : ["--no-fuse"]), in: dir,
                                  environment: environment.mapValues { $0.replacingOccurrences(of: "OUTSIDE", with: outside.path) })
        }

        /// The victim's records as the sink wrote them (empty when the run failed).
        func output() throws -> [[String: Any]] {
            guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("out/result.jsonl").path) else { return [] }
            return try dir.read("out/result.jsonl").split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }

        /// Files under the outside directory other than the one the victim wrote.
        func strayFiles() -> [String] {
            let all = FileManager.default.enumerator(atPath: outside.path)?.compactMap { $0 as? String } ?? []
            return all.filter { $0 != "victim" && $0 != "victim/victim.txt" }
        }

        /// Checks that the secret is absent from the result and every file left in both directories.
        func expectNoSecret(_ result: LuaflowBinary.Result, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(!result.stdout.contains(secret), "stdout: \(result.stdout)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(secret), "stderr: \(result.stderr)", sourceLocation: sourceLocation)
            for root in [dir, outside] {
                for case let file as String in FileManager.default.enumerator(atPath: root.path) ?? FileManager.DirectoryEnumerator() {
                    guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(file).path) else { continue }
                    #expect(data.range(of: Data(secret.utf8)) == nil, "\(file) holds the secret", sourceLocation: sourceLocation)
                }
            }
        }

        /// Checks that the victim computed what it computes unattacked.
        func expectVictimUnharmed(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let records = try output()
            #expect(records.count == 2, sourceLocation: sourceLocation)
            let n = SandboxIsolationTests.secret.count
            for record in records {
                #expect(record["header_length"] as? Int == 41 + 3 * n, sourceLocation: sourceLocation)
                #expect(record["signature"] as? Int == 1 + n, sourceLocation: sourceLocation)
                #expect(record["note_is_null"] as? Bool == (record["id"] as? Int == 1), sourceLocation: sourceLocation)
            }
            #expect(FileManager.default.fileExists(atPath: outside.appendingPathComponent("victim/victim.txt").path),
                    sourceLocation: sourceLocation)
        }
    }

    /// Runs `attack` (whose line `line` attacks) and expects it to fail there with `message`.
    private func expectStopped(_ attack: String, line: Int, message: String, fuse: Bool = true,
                               environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let arena = try Arena(attack: attack)
        let result = try arena.run(fuse: fuse, environment: environment)
        #expect(result.exitCode != 0, sourceLocation: sourceLocation)
        #expect(result.stderr.contains("attack.lua:\(line):"), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(message), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(arena.strayFiles().isEmpty, "written outside: \(arena.strayFiles())", sourceLocation: sourceLocation)
        arena.expectNoSecret(result, sourceLocation: sourceLocation)
    }

    // MARK: File system

    @Test func aSchemaDefaultDoesNotOpenADirectory() throws {
        try expectStopped("""
        schema = { root = { type = "path", default = "/" } }
        function init()
          assert(io.open(config.root .. "OUTSIDE/pwned", "w"))
        end
        function run(r) return r end
        """, line: 3, message: "access denied")
    }

    @Test func anEnvironmentFallbackDoesNotOpenADirectory() throws {
        try expectStopped("""
        schema = { home = { type = "path", env = "LUAFLOW_ATTACK_HOME" } }
        function init()
          assert(io.open(config.home .. "/pwned", "w"))
        end
        function run(r) return r end
        """, line: 3, message: "access denied", environment: ["LUAFLOW_ATTACK_HOME": "OUTSIDE"])
    }

    @Test func aPathTheScriptStoresInItsConfigDoesNotOpenADirectory() throws {
        // At the top level config is out of reach; later, writing it changes no allowed directory.
        try expectStopped("""
        schema = { out_dir = { type = "path" } }
        config.out_dir = "OUTSIDE"
        function run(r) return r end
        """, line: 2, message: "is used at the top level of the script")
        try expectStopped("""
        schema = { out_dir = { type = "path" } }
        function init()
          config.out_dir = "OUTSIDE"
          assert(io.open(config.out_dir .. "/pwned", "w"))
        end
        function run(r) return r end
        """, line: 4, message: "access denied")
    }

    @Test(arguments: ["w", "r"])
    func aSymlinkLeadingOutsideIsRefused(mode: String) throws {
        let arena = try Arena(attack: """
        function init()
          assert(io.open("link.txt", "\(mode)"))
        end
        function run(r) return r end
        """)
        // dangling for a write (the target would be created outside), existing for a read
        if mode == "r" { try arena.outside.write("target.txt", "outside") }
        try FileManager.default.createSymbolicLink(atPath: arena.dir.appendingPathComponent("link.txt").path,
                                                   withDestinationPath: arena.outside.appendingPathComponent("target.txt").path)
        let result = try arena.run()
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("attack.lua:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("link.txt: access denied"), "\(result.stderr)")
        #expect(try arena.strayFiles() == (mode == "r" ? ["target.txt"] : []))
        if mode == "r" { #expect(try arena.outside.read("target.txt") == "outside") }
        arena.expectNoSecret(result)
    }

    @Test func theStateStoreIsClosedToScripts() throws {
        let arena = try Arena(attack: """
        function run(r)
          for _, name in ipairs { ".luaflow/state.db", ".luaflow/state.db-wal", ".luaflow/state.db-shm" } do
            for _, mode in ipairs { "r", "a", "w" } do
              local f, err = io.open(name, mode)
              assert(f == nil and err:find("access denied"), name .. " opened with " .. mode)
            end
          end
          local f, err = io.open("./.luaflow/../.luaflow/state.db", "r+")
          error(err)
        end
        """)
        let result = try arena.run()
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("attack.lua:9:"), "\(result.stderr)")
        #expect(result.stderr.contains("state store"), "\(result.stderr)")
        arena.expectNoSecret(result)
    }

    @Test func thePipelinesOwnFilesAreReadOnly() throws {
        let arena = try Arena(attack: """
        function run(r)
          assert(io.open("pipeline.lua", "r")):close()
          for _, name in ipairs { "pipeline.lua", "victim.lua", "attack.lua", "prod.json" } do
            local f, err = io.open(name, "a")
            assert(f == nil and err:find("read%-only"), name .. " opened for writing")
          end
          assert(io.open("pipeline.lua", "w"))
        end
        """)
        try arena.dir.write("prod.json", #"{"victim": {"out_dir": "\#(arena.outside.path)/victim"}}"#)
        let before = try ["pipeline.lua", "victim.lua", "attack.lua", "prod.json"].map { try arena.dir.read($0) }
        let result = try arena.run(["--config", "prod.json"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("attack.lua:7:"), "\(result.stderr)")
        #expect(result.stderr.contains("read-only"), "\(result.stderr)")
        #expect(try ["pipeline.lua", "victim.lua", "attack.lua", "prod.json"].map { try arena.dir.read($0) } == before)
        arena.expectNoSecret(result)
    }

    // MARK: Isolation between nodes

    @Test(arguments: [true, false])
    func hostModulesAreReadOnly(fuse: Bool) throws {
        for code in ["json.encode = function(v) stolen = v; return '{}' end", "json.null = false"] {
            try expectStopped("local stolen\n\(code)\nfunction run(r) return r end", line: 2, message: "json is read-only", fuse: fuse)
        }
    }

    @Test(arguments: [true, false])
    func replacingSharedTablesInPlaceReachesNoOtherScript(fuse: Bool) throws {
        let arena = try Arena(attack: """
        local stolen = {}
        local function steal(...) for _, v in ipairs { ... } do stolen[#stolen + 1] = tostring(v) end return "" end
        rawset(json, "encode", steal)
        rawset(json, "null", "no longer null")
        string.format, string.upper, string.rep = steal, steal, steal
        table.concat = steal
        for name, f in pairs(string) do string[name] = steal end
        function run(r)
          r.stolen = stolen
          r.victim_global = token_copy
          return r
        end
        """)
        let result = try arena.run(fuse: fuse)
        #expect(result.exitCode == 0, "\(result.stderr)")
        try arena.expectVictimUnharmed()
        #expect(try arena.output().allSatisfy { ($0["stolen"] as? [Any])?.isEmpty ?? true && $0["victim_global"] == nil })
        arena.expectNoSecret(result)
    }

    @Test(arguments: [true, false])
    func theStringMetatableIsProtected(fuse: Bool) throws {
        try expectStopped("""
        local stolen = {}
        getmetatable("").__index = function(s, k) stolen[#stolen + 1] = s end
        function run(r) return r end
        """, line: 2, message: "attempt to index a boolean value", fuse: fuse)
        try expectStopped("""
        local f = assert(io.open("in.jsonl"))
        getmetatable(f).__index.read = function() end
        function run(r) return r end
        """, line: 2, message: "attempt to index a boolean value", fuse: fuse)
        try expectStopped("""
        setmetatable(json.decode("[]"), { __index = function() end })
        function run(r) return r end
        """, line: 1, message: "cannot change a protected metatable", fuse: fuse)
    }

    @Test func allowedDirectoriesArePerNodeWhenFused() throws {
        let arena = try Arena(attack: """
        function run(r)
          assert(io.open("OUTSIDE/victim/pwned", "w"))
        end
        """)
        let result = try arena.run()
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("attack.lua:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("access denied"), "\(result.stderr)")
        #expect(arena.strayFiles().isEmpty, "\(arena.strayFiles())")
        #expect(FileManager.default.fileExists(atPath: arena.outside.appendingPathComponent("victim/victim.txt").path))
        arena.expectNoSecret(result)
    }

    @Test func recordsReachTheNextScriptAsPlainData() throws {
        let arena = try Arena(attack: """
        stolen = {}
        local spy = { __concat = function(a, b) stolen[#stolen + 1] = b; return "" end,
                      __index = function(t, k) stolen[#stolen + 1] = k end }
        function run(r)
          return setmetatable({ id = setmetatable({}, spy), note = r.note }, spy)
        end
        function finalize() return { { stolen = stolen } } end
        """, attackFirst: true)
        let result = try arena.run()
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("victim.lua:18: attempt to concatenate a table value (field 'id')"), "\(result.stderr)")
        arena.expectNoSecret(result)
    }

    @Test func environmentVariablesAreReadOnlyForFieldsDeclaredAtLoad() throws {
        let arena = try Arena(attack: """
        function run(r)
          schema.cloud = { env = "LUAFLOW_ATTACK_CLOUD_KEY" }
          schema.victim = { env = "LUAFLOW_ATTACK_VICTIM_TOKEN" }
          r.cloud, r.victim = config.cloud, config.victim
          return r
        end
        """)
        try arena.dir.write("attack.lua", "schema = {}\n" + (try arena.dir.read("attack.lua")))
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--set", "victim.token=env:LUAFLOW_ATTACK_VICTIM_TOKEN"], in: arena.dir,
                                           environment: ["LUAFLOW_ATTACK_VICTIM_TOKEN": Self.secret,
                                                         "LUAFLOW_ATTACK_CLOUD_KEY": "cloud-\(Self.secret)"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        try arena.expectVictimUnharmed()
        #expect(try arena.output().allSatisfy { $0["cloud"] == nil && $0["victim"] == nil })
        arena.expectNoSecret(result)
    }

    // MARK: Already contained (regressions)

    @Test(arguments: [
        ("os.execute('touch \(FileManager.default.temporaryDirectory.path)/pwned-exec')", "attempt to call a nil value (field 'execute')"),
        ("io.popen('id')", "attempt to call a nil value (field 'popen')"),
        ("package.loadlib('libc.so.6', 'system')", "attempt to index a nil value (global 'package')"),
        ("assert(load(string.char(27) .. 'Lua'))", "attempt to load a binary chunk"),
        ("debug.sethook()", "attempt to index a nil value (global 'debug')"),
        ("assert(io.open('../../../../../../etc/hostname'))", "access denied"),
        ("assert(io.open('/etc/passwd'))", "/etc/passwd: access denied"),
        ("assert(io.open('/proc/self/environ'))", "access denied"),
        ("assert(io.open('/proc/self/root/etc/passwd'))", "access denied"),
    ])
    func escapesThatStayClosed(code: String, expected: String) throws {
        try expectStopped("function run(r)\n  \(code)\n  return r\nend", line: 2, message: expected)
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("pwned-exec").path))
    }
}
