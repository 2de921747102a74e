import Foundation
import Testing

/// `luaflow templates` and `luaflow new`: listing, writing, refusing, and finding the templates.
@Suite struct NewCommandTests {
    static let templatesDir = LuaflowBinary.packageRoot.appendingPathComponent("templates")

    /// The names of the repository's templates (directories with a template.json).
    static var templateNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: templatesDir.path)) ?? []).sorted().filter {
            FileManager.default.fileExists(atPath: templatesDir.appendingPathComponent("\($0)/template.json").path)
        }
    }

    @Test func templatesListsEveryTemplateWithItsDescription() throws {
        let names = Self.templateNames
        #expect(names.count == 11)
        let result = try LuaflowBinary.run(["templates"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for name in names {
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.templatesDir.appendingPathComponent("\(name)/template.json"))) as? [String: Any]
            let description = try #require(manifest?["description"] as? String)
            #expect(lines.contains { $0.hasPrefix(name + " ") && $0.hasSuffix(description) }, "\(name) missing from:\n\(result.stdout)")
        }
        #expect(result.stdout.contains("luaflow new <template> <name>"))
    }

    @Test func newWritesTheConnectorItsTestAndAPipelineAndSaysWhatToRunNext() throws {
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["new", "api-source", "github_issues"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let connector = try dir.read("github_issues/github_issues.lua")
        #expect(connector.contains(#"env = "GITHUB_ISSUES_TOKEN""#))
        #expect(try dir.read("github_issues/github_issues_test.lua").contains(#"connector("github_issues.lua""#))
        #expect(try dir.read("github_issues/pipeline.lua").contains(#"source("github_issues.lua""#))
        for file in ["github_issues.lua", "github_issues_test.lua", "pipeline.lua"] {
            #expect(try !dir.read("github_issues/" + file).contains("{{"), "\(file) keeps a placeholder")
            #expect(result.stdout.contains("github_issues/" + file))
        }
        #expect(result.stdout.contains("luaflow test github_issues\n"))
        #expect(result.stdout.contains("luaflow run github_issues/pipeline.lua --set github_issues.base_url="))
        #expect(result.stdout.contains("GITHUB_ISSUES_TOKEN"))
    }

    @Test func dirChoosesWhereTheFilesGoAndSampleDataComesAlong() throws {
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["new", "file-source", "app_log", "--dir", "."], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        for file in ["app_log.lua", "app_log_test.lua", "pipeline.lua", "data/app_log.log"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file)")
        }
        #expect(result.stdout.contains("luaflow test .\n"))
        #expect(result.stdout.contains("luaflow run pipeline.lua\n"))
    }

    @Test func newRefusesToOverwriteAndWritesNothing() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("orders/pipeline.lua", "-- mine\n")
        let result = try LuaflowBinary.run(["new", "transform", "orders"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("not overwriting existing files: orders/pipeline.lua"))
        #expect(result.stderr.contains("nothing was written"))
        #expect(try dir.read("orders/pipeline.lua") == "-- mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("orders").path) == ["pipeline.lua"])

        try dir.write("notes.txt", "a file, not a directory\n")
        let onFile = try LuaflowBinary.run(["new", "transform", "clean", "--dir", "notes.txt"], in: dir)
        #expect(onFile.exitCode == 2)
        #expect(onFile.stderr.contains("notes.txt exists and is not a directory"))
    }

    @Test(arguments: ["9lives", "my-connector", "with space", "orders_test", "ünïcode", String(repeating: "a", count: 65), ""])
    func badNamesAreRefused(name: String) throws {
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["new", "transform", name, "--dir", "out"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(result.stderr.contains("name"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func aNameThatClashesWithATemplateFileIsRefused() throws {
        let dir = try LuaflowBinary.workspace()
        let result = try LuaflowBinary.run(["new", "api-source", "pipeline"], in: dir)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("clashes with the template's own file pipeline.lua"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pipeline").path))
    }

    @Test func anUnknownTemplateListsTheTemplates() throws {
        let result = try LuaflowBinary.run(["new", "api-sauce", "orders"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("unknown template 'api-sauce'"))
        for name in Self.templateNames { #expect(result.stderr.contains(name)) }
    }

    @Test func luaflowTemplatesEnvironmentVariableIsUsedFirst() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("mine/hello/template.json", #"{"description": "Says hello", "run_args": ["--set", "{{name}}.who=you"]}"#)
        try dir.write("mine/hello/{{name}}.lua", "-- {{name}} ({{NAME}})\nfunction run() end\n")
        try dir.write("mine/hello/pipeline.lua", "network { { source(\"{{name}}.lua\"), sink.stdout {} } }\n")
        let env = ["LUAFLOW_TEMPLATES": dir.appendingPathComponent("mine").path]
        let list = try LuaflowBinary.run(["templates"], environment: env)
        #expect(list.exitCode == 0, "\(list.stderr)")
        #expect(list.stdout.hasPrefix("hello  Says hello\n"))

        let made = try LuaflowBinary.run(["new", "hello", "greeter"], in: dir, environment: env)
        #expect(made.exitCode == 0, "\(made.stderr)")
        #expect(try dir.read("greeter/greeter.lua") == "-- greeter (GREETER)\nfunction run() end\n")
        #expect(!made.stdout.contains("luaflow test"))               // the template has no test
        #expect(made.stdout.contains("luaflow run greeter/pipeline.lua --set greeter.who=you"))

        let missing = try LuaflowBinary.run(["templates"], environment: ["LUAFLOW_TEMPLATES": "/nonexistent/templates"])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("LUAFLOW_TEMPLATES=/nonexistent/templates is not a directory"))
    }

    @Test func withoutTemplatesNearbyTheErrorExplainsLuaflowTemplates() throws {
        let dir = try LuaflowBinary.workspace()
        let copy = dir.appendingPathComponent("bin/luaflow")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: LuaflowBinary.path, toPath: copy.path)
        let result = try LuaflowBinary.run(["new", "transform", "clean"], in: dir,
                                           environment: ["LUAFLOW_TEMPLATES": nil], executable: copy.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("cannot find the luaflow templates"))
        #expect(result.stderr.contains("set LUAFLOW_TEMPLATES"))
    }
}
