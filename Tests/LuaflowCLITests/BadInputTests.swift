import Foundation
import Testing
import TestSupport

/// Bad input bytes through the built binary: invalid UTF-8, a BOM, NUL bytes and truncated lines in
/// `source.file`, under each `on_error` policy. Every good record arrives exactly once; every bad
/// one stops the run, is counted, or lands in a dead-letter file that is itself valid JSON Lines.
@Suite struct BadInputTests {
    /// An input file, the ids of its good records, and per bad record its line, its exact bytes and
    /// the error text.
    struct Case: CustomStringConvertible, Sendable {
        var name: String
        var file: String
        var bytes: [UInt8]
        var good: [Int]
        var bad: [(line: Int, record: [UInt8], error: String)]
        var description: String { name }
    }

    static func jsonl(_ lines: [[UInt8]], newline: Bool = true) -> [UInt8] {
        Array(lines.map { $0 + [0x0A] }.joined().dropLast(newline ? 0 : 1))
    }

    static let badName = Array(#"{"id":2,"name":"B"#.utf8) + [0x80] + Array(#""}"#.utf8)
    static let surrogate = Array(#"{"id":4,"s":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
    static let nul = Array(#"{"id":2,"n":"a"#.utf8) + [0x00] + Array(#"b"}"#.utf8)
    static let truncated = Array(#"{"id":3,"na"#.utf8)

    static let cases: [Case] = [
        Case(name: "invalid UTF-8 in JSON Lines", file: "in.jsonl",
             bytes: jsonl([Array(#"{"id":1}"#.utf8), badName, Array(#"{"id":3}"#.utf8), surrogate, Array(#"{"id":5}"#.utf8)]),
             good: [1, 3, 5],
             bad: [(2, badName, "in.jsonl:2: invalid UTF-8 at byte 18: stray continuation byte 0x80"),
                   (4, surrogate, "in.jsonl:4: invalid UTF-8 at byte 14: UTF-16 surrogate (0xED 0xA0)")]),
        Case(name: "invalid UTF-8 in CSV", file: "in.csv",
             bytes: Array("id,name\n1,ada\n2,b".utf8) + [0xC3, 0x28] + Array("\n3,\"multi\nline\"\n".utf8),
             good: [1, 3],
             bad: [(3, Array("2,b".utf8) + [0xC3, 0x28], "in.csv:3: invalid UTF-8 at byte 4: truncated sequence after lead byte 0xC3")]),
        Case(name: "a BOM at the start of JSON Lines", file: "in.jsonl",
             bytes: [0xEF, 0xBB, 0xBF] + jsonl([Array(#"{"id":1}"#.utf8), Array(#"{"id":2}"#.utf8)]),
             good: [1, 2], bad: []),
        Case(name: "a NUL byte", file: "in.jsonl",
             bytes: jsonl([Array(#"{"id":1}"#.utf8), nul, Array(#"{"id":3}"#.utf8)]),
             good: [1, 3],
             bad: [(2, nul, "in.jsonl:2: NUL byte at byte 15")]),
        Case(name: "a last line without a line feed", file: "in.jsonl",
             bytes: jsonl([Array(#"{"id":1}"#.utf8), Array(#"{"id":2}"#.utf8)], newline: false),
             good: [1, 2], bad: []),
        Case(name: "a truncated JSON object", file: "in.jsonl",
             bytes: jsonl([Array(#"{"id":1}"#.utf8), Array(#"{"id":2}"#.utf8), truncated], newline: false),
             good: [1, 2],
             bad: [(3, truncated, "in.jsonl:3: invalid JSON at byte 12: expected '\"' to close string")]),
        Case(name: "invalid UTF-8 in a JSON array", file: "in.json",
             bytes: Array("[{\"id\":1},\n".utf8) + badName + Array(",\n{\"id\":3}]\n".utf8),
             good: [1, 3],
             bad: [(2, badName, "in.json:2: invalid UTF-8 at byte 18: stray continuation byte 0x80")]),
    ]

    static let policies = ["fail", "skip", "dead_letter"]

    /// A workspace with the input and a pipeline reading it into out.jsonl under `policy`.
    static func workspace(_ c: Case, policy: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try Data(c.bytes).write(to: dir.appendingPathComponent(c.file))
        try dir.write("pipeline.lua", """
        network { { source.file { name = "in", path = "\(c.file)", on_error = "\(policy)" }, sink.file { path = "out.jsonl" } } }
        """)
        return dir
    }

    /// The ids in out.jsonl (CSV values are strings: "1" counts as 1).
    static func ids(_ dir: URL) throws -> [Int] {
        try dir.read("out.jsonl").split(separator: "\n").map {
            let id = (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"]
            return try #require((id as? Int) ?? (id as? String).flatMap { Int($0) }, "\($0)")
        }
    }

    /// The JSON summary row of node `name` (from `--log-format json`).
    static func summaryRow(_ stderr: String, _ name: String) throws -> [String: Any] {
        let line = try #require(stderr.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        return try #require((object["summary"] as! [[String: Any]]).first { $0["node"] as? String == name })
    }

    @Test(arguments: cases, policies)
    func badInputUnderEachPolicy(c: Case, policy: String) throws {
        let dir = try Self.workspace(c, policy: policy)
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "--log-format", "json"], in: dir)
        let deadLetters = dir.appendingPathComponent("in.dead.jsonl")
        if c.bad.isEmpty || policy != "fail" {
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try Self.ids(dir) == c.good, "every good record exactly once")
            #expect(try Self.summaryRow(result.stderr, "in")["errors"] as? Int == c.bad.count)
        } else {
            #expect(result.exitCode == 1)
            let errors = result.stderr.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }.filter { $0["level"] as? String == "error" }.compactMap { $0["message"] as? String }
            #expect(errors.contains { $0.hasPrefix("node 'in' (read): \(c.bad[0].error)") }, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path), "nothing published")
        }
        guard policy == "dead_letter", !c.bad.isEmpty else {
            #expect(!FileManager.default.fileExists(atPath: deadLetters.path))
            return
        }
        let entries = try String(contentsOf: deadLetters, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "a valid JSON line: \($0)")
        }
        #expect(entries.count == c.bad.count)
        for (entry, bad) in zip(entries, c.bad) {
            #expect(entry["node"] as? String == "in")
            #expect((entry["error"] as? String)?.hasPrefix("node 'in' (read): \(bad.error)") == true, "\(entry)")
            if let base64 = entry["record_base64"] as? String {
                #expect(Data(base64Encoded: base64).map(Array.init) == bad.record)
            } else {
                #expect(Array(((entry["record_text"] as? String) ?? "").utf8) == bad.record, "\(entry)")
            }
        }
    }

    @Test func aTruncatedJSONArrayFailsWhateverThePolicy() throws {
        for policy in Self.policies {
            let dir = try LuaflowBinary.workspace()
            try dir.write("in.json", "[{\"id\":1},\n{\"id\":2},\n{\"id\":3,\"name\":\"cut")
            try dir.write("pipeline.lua", """
            network { { source.file { name = "in", path = "in.json", on_error = "\(policy)" }, sink.file { path = "out.jsonl" } } }
            """)
            let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(result.exitCode == 1)
            #expect(result.stderr.contains("node 'in' (read): in.json: line 3: the file ends before the JSON is complete (truncated?)"),
                    "\(result.stderr)")
        }
    }

    @Test func aScriptThatBuildsInvalidUTF8IsARecordErrorOfItsNode() throws {
        for policy in Self.policies {
            let dir = try LuaflowBinary.workspace()
            try dir.write("in.jsonl", "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n")
            try dir.write("mangle.lua", """
            function run(r)
              if r.id == 2 then r.name = "B\\xff" end
              return r
            end
            """)
            try dir.write("pipeline.lua", """
            local mangle = transform("mangle.lua", { on_error = "\(policy)" })
            network { { source.file { path = "in.jsonl" }, mangle }, { mangle, sink.file { path = "out.jsonl" } } }
            """)
            let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            if policy == "fail" {
                #expect(result.exitCode == 1)
                #expect(result.stderr.contains("node 'mangle' (run)") && result.stderr.contains("cannot encode field .name: invalid UTF-8"),
                        "\(result.stderr)")
            } else {
                #expect(result.exitCode == 0, "\(result.stderr)")
                #expect(try Self.ids(dir) == [1, 3])
                let output = try Data(contentsOf: dir.appendingPathComponent("out.jsonl"))
                #expect(String(data: output, encoding: .utf8) != nil, "the output is valid UTF-8")
            }
        }
    }
}
