/// A request ready to go: method, absolute URL with its query, final header fields, body.
struct Exchange: Sendable {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]?
}
