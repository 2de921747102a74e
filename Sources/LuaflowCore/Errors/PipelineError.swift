import LuaBridge

/// An error that stops a run, with everything a user needs to find the cause: the node, the
/// phase, the script location, what was expected, a record excerpt and the Lua traceback.
public struct PipelineError: Error, Sendable, CustomStringConvertible {
    /// Config and script problems found before anything ran exit 2; failures while running exit 1.
    public enum Category: Sendable { case config, runtime }

    public var category: Category
    /// The node's name, when one node is at fault.
    public var node: String?
    /// `load`, `config`, `init`, `run`, `finalize`, `read`, `write`...
    public var phase: String?
    public var message: String
    /// Extra lines: the record that failed, hints.
    public var details: [String]
    public var traceback: String?

    public init(_ category: Category, node: String? = nil, phase: String? = nil, _ message: String,
                details: [String] = [], traceback: String? = nil) {
        self.category = category
        self.node = node
        self.phase = phase
        self.message = message
        self.details = details
        self.traceback = traceback
    }

    /// Wraps a Lua error raised by a node's script. Failures while loading (compiling or running
    /// the script's top level) are config errors: nothing has run yet. An error of a built-in's
    /// code is located at the node's declaration in pipeline.lua, without the host's traceback.
    init(_ spec: NodeSpec, phase: String, lua: LuaError, details: [String] = []) {
        let category: Category = lua.kind == .syntax || phase == "load" ? .config : .runtime
        var message = Self.withoutHostLocation(lua.message)
        if let declaration = spec.builtinDeclaration { message += " (\(spec.what) declared at \(declaration))" }
        self.init(category, node: spec.name, phase: phase, message, details: details,
                  traceback: spec.builtinDeclaration == nil ? lua.traceback : nil)
    }

    /// A message raised inside Lua the host ships (`luaflow/source.http.lua:85: ...`) without that
    /// location: it means nothing to the user, and the node is named anyway.
    static func withoutHostLocation(_ message: String) -> String {
        guard message.hasPrefix("luaflow/"), let colon = message.range(of: ".lua:"),
              let end = message[colon.upperBound...].firstIndex(where: { !$0.isNumber }),
              message[end...].hasPrefix(": ") else { return message }
        return String(message[message.index(end, offsetBy: 2)...])
    }

    public var exitCode: Int32 { category == .config ? 2 : 1 }

    public var description: String {
        var head = ""
        if let node { head += "node '\(node)'" }
        if let phase { head += head.isEmpty ? "\(phase)" : " (\(phase))" }
        var text = head.isEmpty ? message : "\(head): \(message)"
        for d in details { text += "\n  \(d)" }
        return Redactor.shared.redact(text)
    }
}

/// Several problems found together (config validation reports all of them at once).
public struct PipelineErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [PipelineError]

    public init(_ errors: [PipelineError]) { self.errors = errors }

    public var exitCode: Int32 { errors.contains { $0.exitCode == 1 } ? 1 : 2 }

    public var description: String {
        if errors.count == 1 { return errors[0].description }
        return "\(errors.count) problems:\n" + errors.map { "- " + $0.description.replacingOccurrences(of: "\n", with: "\n  ") }.joined(separator: "\n")
    }
}
