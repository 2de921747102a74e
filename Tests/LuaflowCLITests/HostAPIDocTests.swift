import Foundation
import Testing
import TestSupport

/// Runs every example of docs/host-api.md as a source script and compares its output with the
/// block that follows it: ```jsonl is the exact standard output, ```text lines standard error.
@Suite struct HostAPIDocTests {
    struct Example {
        var script: String
        var language: String
        var expected: String
    }

    static func examples() throws -> [Example] {
        let doc = try String(contentsOf: LuaflowBinary.packageRoot.appendingPathComponent("docs/host-api.md"), encoding: .utf8)
        let blocks = doc.components(separatedBy: "\n```").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        var examples: [Example] = []
        for (i, block) in blocks.enumerated() where block.hasPrefix("lua\n") && i + 1 < blocks.count {
            let next = blocks[i + 1]
            let language = String(next.prefix { $0 != "\n" })
            examples.append(Example(script: String(block.dropFirst(4)), language: language,
                                    expected: String(next.drop { $0 != "\n" }.dropFirst()) + "\n"))
        }
        return examples
    }

    @Test func everyExampleRunsAndPrintsWhatTheDocSays() throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        server.route("/v1/users") { _ in .json(["data": ["users": [["id": 1], ["id": 2]]]]) }
        let examples = try Self.examples()
        #expect(examples.count >= 8)
        for example in examples {
            // A fresh directory each time, as a reader trying one example would have (no state).
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", #"network { { source("example.lua"), sink.stdout {} } }"#)
            try dir.write("example.lua", example.script)
            let args = ["run", "pipeline.lua", "-q"] + (example.script.contains("base_url") ? ["--set", "example.base_url=\(server.baseURL)"] : [])
            let result = try LuaflowBinary.run(args, in: dir)
            #expect(result.exitCode == 0, "\(example.script)\n\(result.stderr)")
            if example.language == "jsonl" {
                #expect(result.stdout == example.expected, "\(example.script)")
            } else {
                for line in example.expected.split(separator: "\n") { #expect(result.stderr.contains(line), "\(example.script)") }
            }
        }
    }
}
