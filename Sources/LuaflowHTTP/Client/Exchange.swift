/// A request ready to go: method, absolute URL with its query, final header fields, body, and the
/// only origin the session's credentials may be sent to (nil: none).
struct Exchange: Sendable {
    var method: String
    var url: String
    var headers: [(String, String)]
    var body: [UInt8]?
    var credentialOrigin: Origin?
}
