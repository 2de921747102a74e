/// How the last run of a pipeline ended, as the state store saw it.
public enum RunStatus: String, Sendable {
    /// Started and not finished: it is running, or it was killed; the next run resumes.
    case running
    /// Stopped by an error; the next run resumes from its last checkpoint.
    case failed
    /// Stopped by SIGINT or SIGTERM; the next run resumes from its last checkpoint.
    case interrupted
    /// Final state committed, outputs being renamed into place (finished by the next start).
    case publishing
    /// Finished and published.
    case succeeded

    /// Whether the next run resumes this one.
    public var isUnfinished: Bool { self == .running || self == .failed || self == .interrupted }
}
