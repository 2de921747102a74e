import Foundation
import Testing

@Suite struct ConfigFileTests {
    /// A source printing its config: `label` and `size` (with schema defaults) and a secret `token`.
    static func workspace() throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", """
        schema = {
          label = { type = "string", default = "from-schema" },
          size = { type = "integer", default = 1 },
          token = { type = "secret" },
        }
        local done = false
        function run()
          if done then return nil end
          done = true
          return { label = config.label, size = config.size }
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("src.lua", { name = "src", label = "from-pipeline" }), sink.stdout {} } }"#)
        return dir
    }

    @Test func yamlAndJSONFilesMergeIntoNodeConfigsAndSetWins() throws {
        let dir = try Self.workspace()
        try dir.write("config.yaml", "src:\n  label: from-yaml\n  size: 5\n")
        try dir.write("config.json", #"{ "src": { "size": 7 } }"#)
        let yaml = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "config.yaml", "-q"], in: dir)
        #expect(yaml.exitCode == 0, "\(yaml.stderr)")
        #expect(yaml.stdout == #"{"label":"from-yaml","size":5}"# + "\n")
        let json = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "config.json", "-q"], in: dir)
        #expect(json.stdout == #"{"label":"from-pipeline","size":7}"# + "\n", "\(json.stderr)")
        let set = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "config.yaml", "--set", "src.size=9", "-q"], in: dir)
        #expect(set.stdout == #"{"label":"from-yaml","size":9}"# + "\n", "\(set.stderr)")
        let check = try LuaflowBinary.run(["check", "pipeline.lua", "--config", "config.yaml", "--set", "src.size=x"], in: dir)
        #expect(check.exitCode == 2)
        #expect(check.stdout.contains("--set src.size=x: expected an integer, got the string 'x'"), "\(check.stdout)")
    }

    @Test func unknownNodesAndBadFilesAreConfigErrors() throws {
        let dir = try Self.workspace()
        try dir.write("typo.yaml", "srcc:\n  size: 5\n")
        let typo = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "typo.yaml"], in: dir)
        #expect(typo.exitCode == 2)
        #expect(typo.stderr.contains("config file: no node named 'srcc' (nodes: src, stdout)"), "\(typo.stderr)")
        try dir.write("list.yaml", "- 1\n- 2\n")
        let list = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "list.yaml"], in: dir)
        #expect(list.exitCode == 2)
        #expect(list.stderr.contains("config file list.yaml: the top level must be a mapping"))
        let missing = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "nope.yaml"], in: dir)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("cannot read config file nope.yaml"))
    }

    @Test func envReferencesResolveAndAnUnsetVariableNamesNodeKeyAndVariable() throws {
        let dir = try Self.workspace()
        try dir.write("config.yaml", "src:\n  label: env:LF_TEST_LABEL\n")
        let set = try LuaflowBinary.run(["run", "pipeline.lua", "--config", "config.yaml", "-q"], in: dir,
                                        environment: ["LF_TEST_LABEL": "from env"])
        #expect(set.exitCode == 0, "\(set.stderr)")
        #expect(set.stdout == #"{"label":"from env","size":1}"# + "\n")
        let unset = try LuaflowBinary.run(["run", "pipeline.lua", "--set", "src.label=env:LF_TEST_UNSET_VAR"], in: dir)
        #expect(unset.exitCode == 2)
        #expect(unset.stderr.contains("node 'src' (config): config.label: environment variable LF_TEST_UNSET_VAR is not set"), "\(unset.stderr)")
    }

    @Test func secretsNeverAppearInAnyOutput() throws {
        let dir = try LuaflowBinary.workspace()
        let secret = "s3cr3t-tok-9f2d", fromEnv = "envpass-77aa1"
        try dir.write("src.lua", """
        schema = { token = { type = "secret", required = true }, password = { type = "string" } }
        function init() log.warn("using token " .. config.token .. " and " .. config.password) end
        function check() return false, "rejected " .. config.token end
        function run() error("login failed for " .. config.token .. "/" .. config.password) end
        """)
        try dir.write("pipeline.lua", #"network { { source("src.lua", { name = "api", password = "env:LF_TEST_PASSWORD" }), sink.stdout {} } }"#)
        let env = ["LF_TEST_PASSWORD": fromEnv]
        let runs = [
            try LuaflowBinary.run(["run", "pipeline.lua", "--set", "api.token=\(secret)", "-v"], in: dir, environment: env),
            try LuaflowBinary.run(["run", "pipeline.lua", "--set", "api.token=\(secret)", "--log-format", "json"], in: dir, environment: env),
            try LuaflowBinary.run(["check", "pipeline.lua", "--set", "api.token=\(secret)"], in: dir, environment: env),
        ]
        #expect(runs[0].exitCode == 1)
        #expect(runs[0].stderr.contains("login failed for ***/***"), "\(runs[0].stderr)")
        #expect(runs[2].stdout.contains("check() returned false: rejected ***"), "\(runs[2].stdout)")
        for r in runs {
            #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret))
            #expect(!r.stdout.contains(fromEnv) && !r.stderr.contains(fromEnv))
        }
    }
}
