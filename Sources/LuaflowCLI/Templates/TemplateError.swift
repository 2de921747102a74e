/// A problem with a template, a templates directory or `luaflow new`'s arguments: printed as
/// `error: <message>`, exit status 2.
struct TemplateError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
