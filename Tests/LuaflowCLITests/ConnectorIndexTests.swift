import Foundation
import Testing

/// The built-ins the registry holds, as `luaflow spec --help` lists them, are the rows of the
/// index of docs/pipeline-reference.md, and each has a JSON Schema.
@Suite struct ConnectorIndexTests {
    @Test func theDocsIndexNamesEveryRegisteredBuiltIn() throws {
        let help = try LuaflowBinary.run(["spec", "--help"])
        let listed = help.stdout.replacingOccurrences(of: "\n", with: " ")
            .components(separatedBy: "a built-in:").dropFirst().first?.components(separatedBy: ".  ").first ?? ""
        let registered = Set(listed.matches(of: #/(?:source|transform|sink)\.[a-z_]+/#).map { String($0.output) })
        let doc = try String(contentsOf: LuaflowBinary.packageRoot.appendingPathComponent("docs/pipeline-reference.md"), encoding: .utf8)
        let indexed = Set(doc.split(separator: "\n").compactMap { line in
            line.firstMatch(of: #/^\| `((?:source|transform|sink)\.[a-z_]+)` \|/#).map { String($0.output.1) }
        })
        #expect(registered.count >= 13, "\(help.stdout)")
        #expect(indexed == registered, "in docs, not registered: \(indexed.subtracting(registered)); registered, not in docs: \(registered.subtracting(indexed))")
        for name in registered.sorted() {
            let spec = try LuaflowBinary.run(["spec", name])
            #expect(spec.exitCode == 0 && spec.stdout.contains("\"$schema\""), "\(name): \(spec.stderr)")
        }
    }
}
