/// A page that breaks the doc-test convention, or a server it needs that did not start.
struct DocError: Error, CustomStringConvertible {
    var description: String
}
