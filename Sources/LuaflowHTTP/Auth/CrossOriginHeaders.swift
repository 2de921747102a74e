/// Which header fields go to an origin other than the one a session's credentials belong to (a
/// next-page link or a redirect to another host, a stream URL elsewhere): the fields known to
/// carry no secret, and those the session names in `forward_headers`. Every other field stays
/// with its origin, whatever its name: a list of credential names (`X-Api-Key`, ...) can never
/// be complete, so this is an allow list.
struct CrossOriginHeaders: Sendable {
    /// Fields (lowercased) that describe the request or the client and never hold a secret.
    static let harmless: Set<String> = [
        "accept", "accept-language", "cache-control", "content-language", "content-length", "content-type",
        "user-agent",
    ]

    /// The fields (lowercased) the session opts in with `forward_headers`.
    let forwarded: Set<String>

    /// `forwardHeaders`: the names of `forward_headers`, any case.
    init(forwardHeaders: [String] = []) {
        forwarded = Set(forwardHeaders.map { $0.lowercased() })
    }

    /// Whether the field `name` may go to another origin.
    func allows(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return Self.harmless.contains(lowered) || forwarded.contains(lowered)
    }
}
