import ArgumentParser
import Foundation

/// `luaflow new <template> <name>`: writes a connector, its tests and a pipeline that uses it.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a connector, its tests and a pipeline from a template.",
        discussion: """
        Writes <name>.lua, <name>_test.lua and pipeline.lua (and any sample data the template \
        has) into the directory <name>, or the one given with --dir. Nothing is overwritten: \
        when any of the files exists, nothing is written. `luaflow templates` lists the templates.

        Exit status: 0 written, 2 unknown template, invalid name or a file already there.

        Examples:
          luaflow new api-source github_issues
          luaflow new transform clean_orders --dir pipelines/orders
        """
    )

    @Argument(help: "The template (see luaflow templates).")
    var template: String

    @Argument(help: "The connector's name: letters, digits and _ (it names the files and the node).")
    var name: String

    @Option(help: ArgumentHelp("Where to write the files (default: a new directory named after the connector).", valueName: "directory"))
    var dir: String?

    func run() throws {
        do {
            try create()
        } catch let error as TemplateError {
            throw CommandFailure.usage(error.description)
        }
    }

    private func create() throws {
        if let problem = ConnectorName.problem(with: name) { throw TemplateError(problem) }
        let chosen = try TemplateLibrary.locate().template(named: template)
        let directory = dir ?? name
        let root = URL(fileURLWithPath: directory)
        let files = try chosen.render(connector: name)
        let fm = FileManager.default

        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw TemplateError("\(directory) exists and is not a directory")
        }
        let taken = files.map { display(directory, $0.path) }.filter { fm.fileExists(atPath: $0) }
        if !taken.isEmpty {
            throw TemplateError("not overwriting existing files: \(taken.joined(separator: ", ")); nothing was written (choose another name or --dir)")
        }

        var written: [String] = []
        do {
            for file in files {
                let url = root.appendingPathComponent(file.path)
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try file.contents.write(to: url, options: .withoutOverwriting)
                written.append(url.path)
            }
        } catch {
            for path in written { try? fm.removeItem(atPath: path) }
            throw TemplateError("cannot write into \(directory): \(error.localizedDescription); nothing was written")
        }

        print("Created \(name) from the \(chosen.name) template:")
        for file in files { print("  " + display(directory, file.path)) }
        print("\nNext:")
        if files.contains(where: { $0.path.hasSuffix("_test.lua") }) {
            print("  luaflow test \(shellQuoted(directory))")
        }
        let runArgs = (chosen.manifest.runArgs ?? []).map { shellQuoted(chosen.fill($0, connector: name)) }
        print("  " + (["luaflow", "run", shellQuoted(display(directory, "pipeline.lua"))] + runArgs).joined(separator: " "))
        for note in chosen.manifest.notes ?? [] { print("  " + chosen.fill(note, connector: name)) }
    }

    /// `file` inside `directory`, written the way the user would type it.
    private func display(_ directory: String, _ file: String) -> String {
        if directory == "." || directory.isEmpty { return file }
        return directory.hasSuffix("/") ? directory + file : directory + "/" + file
    }

    /// `text` quoted for a POSIX shell when it holds anything but plain characters.
    private func shellQuoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:@%+,".contains($0)) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
