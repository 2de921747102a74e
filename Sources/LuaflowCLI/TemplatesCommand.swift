import ArgumentParser
import Foundation

/// `luaflow templates`: lists the templates of `luaflow new`, one line each.
struct TemplatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "templates",
        abstract: "List the connector templates of luaflow new.",
        discussion: """
        Templates are read from $\(TemplateLibrary.environmentVariable) when set, else from the \
        templates/ directory of the luaflow checkout or installation the executable belongs to.

        Examples:
          luaflow templates
          luaflow new api-source github_issues
        """
    )

    func run() throws {
        do {
            let library = try TemplateLibrary.locate()
            let templates = try library.templates()
            let width = templates.map(\.name.count).max() ?? 0
            for template in templates {
                print(template.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + template.manifest.description)
            }
            print("\nCreate one with: luaflow new <template> <name> [--dir <directory>]")
            print("Templates from: \(library.directory.path)")
        } catch let error as TemplateError {
            throw CommandFailure.usage(error.description)
        }
    }
}
