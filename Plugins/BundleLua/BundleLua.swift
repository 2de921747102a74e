import Foundation
import PackagePlugin

/// Compiles a target's `lua/*.lua` files into the target as `BundledLua` (see LuaBundler), so
/// host Lua lives in `.lua` files yet nothing is read from disk at run time. Each file is a
/// declared input: editing, adding or removing one rebuilds the generated source.
@main
struct BundleLua: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let inputs = target.sourceFiles(withSuffix: "lua").map(\.url)
            .filter { $0.deletingLastPathComponent().lastPathComponent == "lua" }
            .sorted { $0.path < $1.path }
        guard !inputs.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "BundledLua.swift")
        return [.buildCommand(displayName: "Bundling the Lua files of \(target.name)",
                              executable: try context.tool(named: "LuaBundler").url,
                              arguments: [output.path] + inputs.map(\.path),
                              inputFiles: inputs, outputFiles: [output])]
    }
}
