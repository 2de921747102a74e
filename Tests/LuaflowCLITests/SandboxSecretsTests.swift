import Foundation
import Testing
import TestSupport

/// Red-team tests of secret handling, through the built binary: a secret given literally (`--set`,
/// `--config`) or through `env:NAME` never appears in stdout, stderr (text or JSON logs), dead
/// letters, `check` or `discover` output, or the state store, whatever the script prints or raises.
@Suite struct SandboxSecretsTests {
    /// A secret with every character JSON and URLs escape.
    static let secret = #"s3cr"et\tok/9f2d é+&="#
    static let literal = "lit3ral-s3cret-77c1"

    /// The forms a leak could take: as is, JSON-escaped (Foundation's and the minimal one) and
    /// percent-encoded.
    static func forms(of secret: String) -> [String] {
        let foundation = String(decoding: try! JSONSerialization.data(withJSONObject: [secret]), as: UTF8.self)
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return [secret, String(foundation.dropFirst(2).dropLast(2)),
                secret.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""),
                secret.addingPercentEncoding(withAllowedCharacters: unreserved)!]
    }

    /// Records an issue for every output that holds `secret` in any of its forms.
    static func expectAbsent(_ secret: String, from outputs: [String: String], sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, text) in outputs {
            for form in Set(forms(of: secret)) {
                #expect(!text.contains(form), "\(name) holds the secret as \(form):\n\(text)", sourceLocation: sourceLocation)
            }
        }
    }

    /// The bytes of the state store: `.luaflow/state.db` and its write-ahead log, which holds the
    /// latest commits until SQLite checkpoints it.
    static func stateBytes(_ dir: URL) throws -> Data {
        let store = dir.appendingPathComponent(".luaflow")
        let files = try FileManager.default.contentsOfDirectory(atPath: store.path).filter { $0.hasPrefix("state.db") }
        #expect(files.contains("state.db"))
        return try files.sorted().reduce(into: Data()) { $0 += try Data(contentsOf: store.appendingPathComponent($1)) }
    }

    /// A directory holding `files` and `prod.json`, a config file giving node `node` the token ``secret``.
    func workspace(_ files: [String: String], node: String = "check") throws -> URL {
        let dir = try LuaflowBinary.workspace()
        for (name, text) in files { try dir.write(name, text) }
        let config = try JSONSerialization.data(withJSONObject: [node: ["token": Self.secret]])
        try dir.write("prod.json", String(decoding: config, as: UTF8.self))
        return dir
    }

    @Test func printedLoggedAndRaisedSecretsAreRedactedInEveryOutput() throws {
        let dir = try workspace([
            "src.lua": """
            schema = { token = { type = "secret", required = true }, pin = { type = "integer", secret = true } }
            function init()
              print("token is " .. config.token)
              log.info("as a table", { token = config.token, pin = config.pin })
              log.warn(json.encode { token = config.token } .. " and " .. config.token .. "\\u{301}")
              log.warn("pin", config.pin)
            end
            local n = 0
            function run() n = n + 1; if n <= 2 then return { id = n } end end
            """,
            "check.lua": """
            schema = { token = { type = "secret" } }
            function run(r)
              if r.id == 2 then error("rejected with " .. config.token .. " in " .. json.encode { t = config.token }) end
              return r
            end
            """,
            "pipeline.lua": """
            network { { source("src.lua"), transform("check.lua", { on_error = "dead_letter" }), sink.stdout {} } }
            """,
        ], node: "src")
        let args = ["run", "pipeline.lua", "--config", "prod.json", "--set", "check.token=\(Self.literal)", "--set", "src.pin=48151623"]
        let text = try LuaflowBinary.run(args, in: dir)
        #expect(text.exitCode == 0, "\(text.stderr)")
        #expect(text.stdout.contains(#"{"id":1}"#))
        for line in ["token is ***", #""token":"***""#, #""pin":***"#, #"{"token":"***"} and ***\#u{301}"#, "pin ***"] {
            #expect(text.stderr.contains(line), "\(line) in \(text.stderr)")
        }
        let json = try LuaflowBinary.run(args + ["--log-format", "json", "-v"], in: dir)
        #expect(json.exitCode == 0, "\(json.stderr)")
        let deadLetters = try dir.read("check.dead.jsonl")
        #expect(deadLetters.contains(#"rejected with *** in {\"t\":\"***\"}"#), "\(deadLetters)")
        let state = String(decoding: try Self.stateBytes(dir), as: UTF8.self)
        for secret in [Self.secret, Self.literal, "48151623"] {
            Self.expectAbsent(secret, from: ["stdout": text.stdout + json.stdout, "stderr": text.stderr, "JSON logs": json.stderr,
                                             "dead letters": deadLetters, "state": state])
        }
    }

    @Test func configIsOutOfReachAtTheTopLevelSoLoadErrorsCannotHoldIt() throws {
        let dir = try workspace([
            "src.lua": """
            schema = { token = { type = "secret" } }
            print("at load: " .. config.token)
            function run() end
            """,
            "pipeline.lua": #"network { { source("src.lua"), sink.stdout {} } }"#,
        ])
        let args = ["--set", "src.token=\(Self.literal)"]
        let run = try LuaflowBinary.run(["run", "pipeline.lua", "-v"] + args, in: dir)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("node 'src' (load): src.lua:2: config.token is used at the top level of the script"), "\(run.stderr)")
        let check = try LuaflowBinary.run(["check", "pipeline.lua"] + args, in: dir)
        #expect(check.exitCode == 2)
        #expect(check.stdout.contains("load: src.lua:2: config.token is used at the top level"), "\(check.stdout)")
        Self.expectAbsent(Self.literal, from: ["run": run.stdout + run.stderr, "check": check.stdout + check.stderr])
    }

    @Test func tracebacksAndCheckOutputAreRedacted() throws {
        let dir = try workspace([
            "src.lua": """
            schema = { token = { type = "secret" } }
            local function login(token) error("cannot log in with " .. token) end
            function init() login(config.token) end
            function check() return false, "the API refused " .. config.token end
            function run() end
            """,
            "check.lua": """
            schema = { token = { type = "secret" } }
            function check() return nil, json.encode { refused = config.token } end
            function run(x) end
            """,
            "pipeline.lua": #"network { { source("src.lua"), sink("check.lua") } }"#,
        ])
        let args = ["pipeline.lua", "--config", "prod.json", "--set", "src.token=env:SECRETS_TEST_TOKEN"]
        let env = ["SECRETS_TEST_TOKEN": Self.literal]
        let run = try LuaflowBinary.run(["run", "-v"] + args, in: dir, environment: env)
        #expect(run.exitCode != 0)
        #expect(run.stderr.contains("cannot log in with ***") && run.stderr.contains("stack traceback"), "\(run.stderr)")
        let text = try LuaflowBinary.run(["check"] + args, in: dir, environment: env)
        let json = try LuaflowBinary.run(["check", "--log-format", "json"] + args, in: dir, environment: env)
        #expect(text.exitCode == 2 && json.exitCode == 2)
        #expect(text.stdout.contains("cannot log in with ***"), "\(text.stdout)")
        #expect(json.stdout.contains(#"refused"#), "\(json.stdout)")
        for secret in [Self.secret, Self.literal] {
            Self.expectAbsent(secret, from: ["run": run.stdout + run.stderr, "check": text.stdout + text.stderr,
                                             "check --log-format json": json.stdout + json.stderr])
        }
    }

    @Test func aSecretDefaultIsShownByNoCommand() throws {
        let defaults = ["dflt-s3cret-91ab", "nested-s3cret-77"]
        let dir = try workspace([
            "src.lua": """
            schema = {
              token = { type = "secret", default = "\(defaults[0])" },
              auth = { type = "table", fields = { key = { type = "string", secret = true, default = "\(defaults[1])" } } },
            }
            function check() return false, "refused " .. config.token .. " " .. config.auth.key end
            local done = false
            function run()
              if done then return nil end
              done = true
              print(config.token, config.auth.key)
              return { id = 1 }
            end
            """,
            "pipeline.lua": #"network { { source("src.lua"), sink.stdout {} } }"#,
        ])
        let spec = try LuaflowBinary.run(["spec", "src.lua"], in: dir)
        #expect(spec.exitCode == 0 && spec.stdout.contains(#""writeOnly":true"#), "\(spec.stdout)\(spec.stderr)")
        let options = try LuaflowBinary.run(["check", "--options", "pipeline.lua"], in: dir)
        #expect(options.stdout.contains("default (secret, not shown)"), "\(options.stdout)\(options.stderr)")
        let check = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(check.exitCode == 2 && check.stdout.contains("refused *** ***"), "\(check.stdout)\(check.stderr)")
        let discover = try LuaflowBinary.run(["discover", "src.lua"], in: dir)
        let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(run.exitCode == 0 && run.stderr.contains("*** ***"), "\(run.stderr)")
        for secret in defaults {
            Self.expectAbsent(secret, from: ["spec": spec.stdout + spec.stderr, "check --options": options.stdout + options.stderr,
                                             "check": check.stdout + check.stderr, "discover": discover.stdout + discover.stderr,
                                             "run": run.stdout + run.stderr])
        }
    }

    @Test func aSchemaEnvFallbackCannotReadAnotherNodesSecret() throws {
        let dir = try workspace([
            "owner.lua": """
            schema = { token = { type = "secret" } }
            local done = false
            function run() if done then return nil end; done = true; return { id = 1 } end
            """,
            "thief.lua": """
            schema = { stolen = { type = "string", env = "OWNER_TOKEN" } }
            function run(r) print("got " .. tostring(config.stolen)); return r end
            """,
            "pipeline.lua": """
            local owner = source("owner.lua", { token = "env:OWNER_TOKEN" })
            network { { owner, transform("thief.lua"), sink.stdout {} } }
            """,
            "shared.lua": """
            local owner = source("owner.lua", { token = "env:OWNER_TOKEN" })
            network { { owner, transform("thief.lua", { stolen = "env:OWNER_TOKEN" }), sink.stdout {} } }
            """,
        ])
        let env = ["OWNER_TOKEN": Self.literal]
        for command in ["check", "run"] {
            let refused = try LuaflowBinary.run([command, "pipeline.lua"], in: dir, environment: env)
            #expect(refused.exitCode == 2, "\(refused.stdout)\(refused.stderr)")
            #expect((refused.stdout + refused.stderr).contains("reads environment variable OWNER_TOKEN"), "\(refused.stdout)\(refused.stderr)")
            #expect((refused.stdout + refused.stderr).contains("gives node 'owner' as a secret"), "\(refused.stdout)\(refused.stderr)")
            Self.expectAbsent(Self.literal, from: [command: refused.stdout + refused.stderr])
        }
        // Given to the transform in pipeline.lua, the same variable is the user's choice: it runs (and stays redacted).
        let shared = try LuaflowBinary.run(["run", "shared.lua"], in: dir, environment: env)
        #expect(shared.exitCode == 0 && shared.stderr.contains("got ***"), "\(shared.stderr)")
        Self.expectAbsent(Self.literal, from: ["run": shared.stdout + shared.stderr])
    }

    @Test func valuesThatAreNotSecretsStayReadable() throws {
        let dir = try workspace([
            "api.lua": #"""
            network { { source.http { name = "api", base_url = "env:API_BASE", path = "/items",
                                      auth = { bearer = "env:API_TOKEN" }, retry = { max_attempts = 1 } },
                        sink.stdout {} } }
            """#,
            "db.lua": #"""
            network { { source.list { items = { { id = 1 } } }, sink.postgres { dsn = "env:PG_DSN", table = "t" } } }
            """#,
        ])
        let env = ["API_BASE": "http://127.0.0.1:9", "API_TOKEN": Self.literal,
                   "PG_DSN": "postgres://loader:pw-\(Self.literal)@127.0.0.1:9/warehouse"]
        let api = try LuaflowBinary.run(["run", "api.lua"], in: dir, environment: env)
        #expect(api.exitCode == 1)
        #expect(api.stderr.contains("http://127.0.0.1:9/items"), "\(api.stderr)")
        let db = try LuaflowBinary.run(["run", "db.lua"], in: dir, environment: env)
        #expect(db.exitCode != 0)
        #expect(db.stderr.contains("postgres://loader:***@127.0.0.1:9/warehouse"), "\(db.stderr)")
        Self.expectAbsent(Self.literal, from: ["api": api.stdout + api.stderr, "db": db.stdout + db.stderr])
    }

    @Test func builtInCredentialsAreRegisteredWhenTheNodeLoads() throws {
        // source.http never gets to create its session (bad retry settings), and the sink, which has
        // the same token in a setting no schema marks secret, prints it: the token is still hidden.
        let token = "builtin-lit-tok-5a1c"
        let dir = try workspace([
            "out.lua": """
            function run(x) end
            function check() return false, "refused " .. config.token end
            """,
            "pipeline.lua": """
            network { { source.http { name = "api", base_url = "http://127.0.0.1:9", auth = { bearer = "\(token)" },
                                      retry = { max_attempts = 0 } },
                        sink("out.lua", { token = "\(token)" }) } }
            """,
        ])
        let check = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
        #expect(check.exitCode == 2)
        #expect(check.stdout.contains("max_attempts") && check.stdout.contains("refused ***"), "\(check.stdout)")
        Self.expectAbsent(token, from: ["check": check.stdout + check.stderr])
    }

    @Test func aSecretOfTheWrongTypeIsNotEchoed() throws {
        let dir = try workspace([
            "src.lua": """
            schema = { token = { type = "secret", required = true }, pin = { type = "integer", secret = true, max = 99 } }
            function run() end
            """,
            "pipeline.lua": #"network { { source("src.lua"), sink.stdout {} } }"#,
        ])
        let args = ["pipeline.lua", "--set", "src.token=987654321", "--set", "src.pin=55512345"]
        let run = try LuaflowBinary.run(["run"] + args, in: dir)
        #expect(run.exitCode == 2)
        #expect(run.stderr.contains("--set src.token=***: expected a string, got an integer (a secret: its value is not shown)"), "\(run.stderr)")
        #expect(run.stderr.contains("--set src.pin=***: must be at most 99"), "\(run.stderr)")
        let check = try LuaflowBinary.run(["check", "--log-format", "json"] + args, in: dir)
        #expect(check.exitCode == 2)
        for secret in ["987654321", "55512345"] {
            Self.expectAbsent(secret, from: ["run": run.stdout + run.stderr, "check": check.stdout + check.stderr])
        }
    }

    @Test func discoverRedactsWhatStreamsAndRecordsLog() throws {
        let dir = try workspace([
            "api.lua": """
            schema = { token = { type = "secret", required = true }, stream = { type = "string" } }
            function streams()
              log.info("listing with", config.token)
              return { "users", config.token }
            end
            local done = false
            function run()
              if done then return nil end
              done = true
              print("reading " .. config.stream .. " with " .. config.token)
              return { id = 1 }
            end
            """,
        ])
        try dir.write("api.json", String(decoding: try JSONSerialization.data(withJSONObject: ["token": Self.secret]), as: UTF8.self))
        let text = try LuaflowBinary.run(["discover", "api.lua", "--config", "api.json"], in: dir)
        #expect(text.exitCode == 0, "\(text.stderr)")
        #expect(text.stdout.contains("stream users: 1 record sampled") && text.stdout.contains("stream ***"), "\(text.stdout)")
        let json = try LuaflowBinary.run(["discover", "api.lua", "--json", "--set", "token=\(Self.literal)", "--log-format", "json"], in: dir)
        #expect(json.exitCode == 0, "\(json.stderr)")
        Self.expectAbsent(Self.secret, from: ["discover": text.stdout + text.stderr])
        Self.expectAbsent(Self.literal, from: ["discover --json": json.stdout + json.stderr])
    }

    @Test func percentEncodedSecretsInRequestErrorsAreRedacted() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let dir = try workspace([
            "api.lua": """
            schema = { token = { type = "secret", required = true } }
            function run()
              local s = http.session { base_url = "\(server.baseURL)" }
              local echoed = s:post("/echo", { form = { note = config.token } })
              log.info("echo", echoed.body)
              s:get("/status", { query = { code = 404, q = config.token } })
            end
            """,
            "pipeline.lua": #"network { { source("api.lua"), sink.stdout {} } }"#,
        ])
        let config = try JSONSerialization.data(withJSONObject: ["api": ["token": Self.secret]])
        try dir.write("api.json", String(decoding: config, as: UTF8.self))
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "api.json", "--log-format", "json"], in: dir)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("/status?code=404&q=***"), "\(result.stderr)")
        #expect(server.requests(path: "/status").first?.queryValue("q") == Self.secret)
        Self.expectAbsent(Self.secret, from: ["stderr": result.stderr, "stdout": result.stdout])
    }

    @Test func theStateStoreKeepsNoAPIKeyAndAResumeSendsItAgain() throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let key = "state-api-key-31c9"
        let dir = try workspace([
            "fail.lua": """
            schema = { fail_at = { type = "integer", default = 0 } }
            local n = 0
            function run(r) n = n + 1; if n == config.fail_at then error("sink down") end end
            """,
            "pipeline.lua": """
            network { { source.http { name = "api", base_url = "\(server.baseURL)", path = "/echo-link",
                                      params = { total = 6, per_page = 2 }, auth = { api_key = "env:SECRETS_TEST_KEY", query = "api_key" },
                                      paginator = { type = "link_header" } },
                        sink("fail.lua", { fail_at = 3 }) } }
            """,
        ])
        let env = ["SECRETS_TEST_KEY": key]
        let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, environment: env)
        #expect(failed.exitCode == 1, "\(failed.stderr)")
        let state = try Self.stateBytes(dir)
        #expect(state.range(of: Data("page=2".utf8)) != nil, "the resume point is stored")
        #expect(state.range(of: Data(key.utf8)) == nil && state.range(of: Data("api_key".utf8)) == nil)

        server.clearLog()
        let resumed = try LuaflowBinary.run(["run", "pipeline.lua", "--set", "fail.fail_at=0"], in: dir, environment: env)
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        let pages = server.requests(path: "/echo-link")
        #expect(pages.map { $0.queryValue("page") } == ["2", "3"])
        #expect(pages.allSatisfy { $0.queryValue("api_key") == key })
        Self.expectAbsent(key, from: ["failed": failed.stdout + failed.stderr, "resumed": resumed.stdout + resumed.stderr])
    }
}
