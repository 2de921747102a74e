/// A rule checked against every response before the default error handling
/// (`response_actions = { { status = 404, action = "skip" }, { content = "rate limit", action = "retry" } }`):
/// the first rule whose status and content both match decides. Pure: no I/O.
public struct ResponseAction: Decodable, Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        /// The response stands for "nothing here": a request returns it as it is, a walk of
        /// pages ends without records.
        case skip
        /// Try again, as for a retried status (backoff, `Retry-After`, `max_attempts`).
        case retry
        /// Fail the request, whatever its status.
        case fail
    }

    /// Statuses that match (nil: any).
    public var statuses: Set<Int>?
    /// Text the body must contain (nil: any body).
    public var content: String?
    public var action: Action

    public init(statuses: Set<Int>? = nil, content: String? = nil, action: Action) {
        self.statuses = statuses
        self.content = content
        self.action = action
    }

    public init(from decoder: Decoder) throws {
        let section = "response_actions"
        let c = try decoder.configContainer()
        if let one = try? c.int("status", section) {
            statuses = [one]
        } else {
            statuses = try c.ints("status", section).map(Set.init)
        }
        content = try c.string("content", section)
        let name = try c.string("action", section) ?? ""
        guard let action = Action(rawValue: name) else {
            throw HTTPError.invalidConfig(section, "action must be skip, retry or fail, not '\(name)'")
        }
        self.action = action
        if statuses == nil && content == nil { throw HTTPError.invalidConfig(section, "a rule needs status or content") }
    }

    /// Whether this rule applies to a response with `status` and `body`.
    public func matches(status: Int, body: [UInt8]) -> Bool {
        if let statuses, !statuses.contains(status) { return false }
        if let content, !String(decoding: body, as: UTF8.self).contains(content) { return false }
        return true
    }

    /// The first of `rules` that applies, if any.
    public static func first(of rules: [ResponseAction], status: Int, body: [UInt8]) -> ResponseAction? {
        rules.first { $0.matches(status: status, body: body) }
    }
}
