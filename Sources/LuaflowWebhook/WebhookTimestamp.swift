/// The freshness check the timestamped schemes share: a signed timestamp (Unix seconds, digits
/// only) within `tolerance` seconds of now, in either direction.
enum WebhookTimestamp {
    /// The timestamp in `text` when it is fresh; otherwise why not.
    static func check(_ text: String?, now: Double, tolerance: Double) -> Result<Int, WebhookTimestampProblem> {
        guard let text, !text.isEmpty, text.count <= 12, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let seconds = Int(text) else { return .failure(.missing) }
        guard abs(Double(seconds) - now) <= tolerance else { return .failure(.stale) }
        return .success(seconds)
    }
}

/// Why a signed timestamp was refused.
enum WebhookTimestampProblem: Error {
    case missing, stale

    var reason: String {
        switch self {
        case .missing: return "the signed timestamp is missing or not a number"
        case .stale: return "the signed timestamp is outside the tolerance"
        }
    }
}
