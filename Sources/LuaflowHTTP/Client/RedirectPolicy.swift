/// Which redirects to follow and how the request changes (RFC 9110 §15.4, with the browser rule
/// for POST on 301/302 that `requests` and curl follow too). Pure.
public enum RedirectPolicy {
    /// The request to send after a redirect.
    public struct Hop: Sendable, Equatable {
        public var method: String
        /// Absolute URL (the `Location` resolved against the URL that answered).
        public var url: String
        /// False when the redirect turns the request into a GET without body.
        public var keepsBody: Bool

        public init(method: String, url: String, keepsBody: Bool) {
            self.method = method
            self.url = url
            self.keepsBody = keepsBody
        }
    }

    public static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// The next hop, or nil when the response is not a redirect to follow (not a redirect status,
    /// no usable `Location`, or a target that is not http(s)).
    public static func next(status: Int, location: String?, method: String, url: String) -> Hop? {
        guard redirectStatuses.contains(status), let location,
              let target = URLBuilder.resolveReference(location, against: url),
              let origin = Origin(url: target), origin.scheme == "http" || origin.scheme == "https" else { return nil }
        switch status {
        case 303 where method != "HEAD":
            return Hop(method: "GET", url: target, keepsBody: false)
        case 301 where method == "POST", 302 where method == "POST":
            return Hop(method: "GET", url: target, keepsBody: false)
        default:
            return Hop(method: method, url: target, keepsBody: true)
        }
    }
}
