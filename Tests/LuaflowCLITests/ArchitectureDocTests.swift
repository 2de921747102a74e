import Foundation
import Testing

/// docs/architecture.md's target list says what Package.swift declares.
@Suite struct ArchitectureDocTests {
    @Test func theTargetListMatchesPackageSwift() throws {
        let root = LuaflowBinary.packageRoot
        let doc = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let documented = Self.documentedDependencies(doc)
        let declared = Self.declaredDependencies(manifest)
        #expect(!declared.isEmpty && !documented.isEmpty)
        #expect(documented == declared, "docs/architecture.md lists \(documented), Package.swift declares \(declared)")
    }

    /// `Target ──► A, B   (libraries)` lines of the first code block after the Targets heading,
    /// libraries and the plugin note left out.
    static func documentedDependencies(_ doc: String) -> [String: Set<String>] {
        let section = doc.components(separatedBy: "## Targets").dropFirst().first ?? ""
        let block = section.components(separatedBy: "```").dropFirst().first ?? ""
        var result: [String: Set<String>] = [:]
        for line in block.split(separator: "\n") where line.contains("──►") {
            let parts = line.components(separatedBy: "──►")
            let target = parts[0].trimmingCharacters(in: .whitespaces)
            let list = parts[1].components(separatedBy: "(")[0]
            result[target] = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return result
    }

    /// The targets of the package (not tests, not the plugin and its tool) and the package's
    /// own targets each names among its dependencies.
    static func declaredDependencies(_ manifest: String) -> [String: Set<String>] {
        let pattern = #/\.(?:target|executableTarget)\(\s*name: "(\w+)",\s*dependencies: \[(.*?)\]/#.dotMatchesNewlines()
        let product = #/\.product\([^)]*\)/#
        let quoted = #/"(\w+)"/#
        var result: [String: Set<String>] = [:]
        for match in manifest.matches(of: pattern) {
            let name = String(match.output.1)
            guard name != "LuaBundler", !name.hasPrefix("Test") else { continue }
            let targets = String(match.output.2).replacing(product, with: "")
            result[name] = Set(targets.matches(of: quoted).map { String($0.output.1) })
        }
        return result
    }
}
