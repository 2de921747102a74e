/// The options of `source.file`, `sink.file` and `sink.stdout`, declared as `schema` tables like a
/// script's (lua/source.file.lua, lua/sink.file.lua, lua/sink.stdout.lua): ``ConfigSchema`` checks them when the node loads, `luaflow check --options` and
/// `luaflow spec` show them. The connectors themselves are written in Swift.
enum FileSchemas {
    /// The schema of the Swift built-in `role`.`kind`, if it is one.
    static func code(role: NodeSpec.Role, kind: String) -> String? {
        switch (role, kind) {
        case (.source, "file"): return BundledLua.sourceFile.source
        case (.sink, "file"): return BundledLua.sinkFile.source
        case (.sink, "stdout"): return BundledLua.sinkStdout.source
        default: return nil
        }
    }
}
