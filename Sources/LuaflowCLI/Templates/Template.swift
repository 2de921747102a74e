import Foundation

/// One template of `luaflow new`: a directory of files whose paths and contents may hold the
/// placeholders `{{name}}` (the connector's name) and `{{NAME}}` (the same in upper case), plus
/// `template.json`, its manifest.
struct Template {
    /// `template.json`.
    struct Manifest: Decodable {
        /// One line, shown by `luaflow templates`.
        var description: String
        /// Extra arguments of the `luaflow run` command printed after `new` (placeholders allowed).
        var runArgs: [String]?
        /// Further hints printed after `new` (placeholders allowed).
        var notes: [String]?
    }

    static let manifestName = "template.json"

    let name: String
    let directory: URL
    let manifest: Manifest

    /// Reads the manifest of the template in `directory`.
    init(directory: URL) throws {
        self.directory = directory
        name = directory.lastPathComponent
        let file = directory.appendingPathComponent(Self.manifestName)
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            manifest = try decoder.decode(Manifest.self, from: Data(contentsOf: file))
        } catch {
            throw TemplateError("\(file.path): not a valid template manifest (\(error))")
        }
    }

    /// A file to write: its path relative to the target directory, and its contents.
    struct File {
        var path: String
        var contents: Data
    }

    /// Every file of the template with the placeholders replaced for connector `connector`,
    /// sorted by path. Fails when two files would land on the same path.
    func render(connector: String) throws -> [File] {
        let base = directory.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else {
            throw TemplateError("cannot read the template directory \(base)")
        }
        var files: [File] = []
        for case let relative as String in walker where relative != Self.manifestName {
            var isDirectory: ObjCBool = false
            let source = base + "/" + relative
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = try String(contentsOfFile: source, encoding: .utf8)
            files.append(File(path: fill(relative, connector: connector), contents: Data(fill(text, connector: connector).utf8)))
        }
        files.sort { $0.path < $1.path }
        for (a, b) in zip(files, files.dropFirst()) where a.path == b.path {
            throw TemplateError("the name '\(connector)' clashes with the template's own file \(a.path); choose another name")
        }
        return files
    }

    /// `text` with `{{name}}` and `{{NAME}}` replaced.
    func fill(_ text: String, connector: String) -> String {
        text.replacingOccurrences(of: "{{name}}", with: connector)
            .replacingOccurrences(of: "{{NAME}}", with: connector.uppercased())
    }
}
