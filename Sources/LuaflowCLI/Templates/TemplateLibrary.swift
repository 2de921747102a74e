import Foundation

/// The directory holding the templates of `luaflow new`, one subdirectory per template.
///
/// Found, in order: the environment variable `LUAFLOW_TEMPLATES`; else the first `templates/`
/// (or `share/luaflow/templates/`) directory holding a template, walking up from the directory
/// of the running executable, so `.build/debug/luaflow` in a checkout finds the checkout's.
struct TemplateLibrary {
    static let environmentVariable = "LUAFLOW_TEMPLATES"

    let directory: URL

    /// Locates the templates directory (see the type's documentation).
    static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> TemplateLibrary {
        if let configured = environment[environmentVariable], !configured.isEmpty {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: configured, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw TemplateError("\(environmentVariable)=\(configured) is not a directory; point it at the templates/ directory of luaflow")
            }
            return TemplateLibrary(directory: URL(fileURLWithPath: configured))
        }
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        var dir = executable.deletingLastPathComponent()
        while true {
            for candidate in ["templates", "share/luaflow/templates"] {
                let library = TemplateLibrary(directory: dir.appendingPathComponent(candidate))
                if library.holdsTemplates { return library }
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        throw TemplateError("""
            cannot find the luaflow templates: no templates/ directory above \(executable.deletingLastPathComponent().path); \
            set \(environmentVariable) to the templates/ directory of a luaflow checkout, \
            e.g. export \(environmentVariable)=$HOME/luaflow/templates
            """)
    }

    /// Whether the directory exists and has at least one template in it.
    var holdsTemplates: Bool {
        ((try? templateDirectories()) ?? []).isEmpty == false
    }

    /// Every template, sorted by name.
    func templates() throws -> [Template] {
        let found = try templateDirectories().map(Template.init(directory:))
        if found.isEmpty {
            throw TemplateError("\(directory.path) holds no templates (subdirectories with a \(Template.manifestName))")
        }
        return found
    }

    /// The template called `name`; an unknown name is an error that lists the templates.
    func template(named name: String) throws -> Template {
        let all = try templates()
        guard let found = all.first(where: { $0.name == name }) else {
            throw TemplateError("unknown template '\(name)'; the templates are: \(all.map(\.name).joined(separator: ", ")) (luaflow templates describes them)")
        }
        return found
    }

    private func templateDirectories() throws -> [URL] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        return names.sorted().map { directory.appendingPathComponent($0) }.filter {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent(Template.manifestName).path)
        }
    }
}
