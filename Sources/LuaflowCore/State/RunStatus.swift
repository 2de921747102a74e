/// How the last run of a pipeline ended, as the state store saw it.
public enum RunStatus: String, Sendable {
    /// Started and not finished: it crashed, failed or was interrupted; the next run resumes.
    case running
    /// Final state committed, outputs being renamed into place (finished by the next start).
    case publishing
    /// Finished and published.
    case succeeded
}
