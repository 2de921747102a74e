/// The classes of errors of seeds 002/004, shared by host errors and scripts: a script raises one
/// with `errors.transient("...")` (message `[transient] ...`), HTTP failures carry one, and the
/// host decides from it: connection and transient errors are retried, auth errors always stop the
/// run, data errors fall under the node's `on_error`.
public enum ErrorClass: String, Sendable, CaseIterable {
    case connection, auth, transient, data

    /// `[transient]`, as it appears in messages.
    public var tag: String { "[\(rawValue)]" }

    /// Whether trying the same call again may succeed.
    public var isRetryable: Bool { self == .connection || self == .transient }

    /// The class a message carries, if any (the first `[class]` tag in it).
    public init?(message: String) {
        guard let found = Self.allCases.compactMap({ c in message.range(of: c.tag).map { (c, $0.lowerBound) } })
            .min(by: { $0.1 < $1.1 }) else { return nil }
        self = found.0
    }
}
