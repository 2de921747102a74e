/// One misbehaviour of a scripted fault route (``FaultFeed``, ``FaultIngest``), the ways real
/// APIs fail.
public enum Fault: Sendable, CustomStringConvertible {
    /// That status, with `Retry-After` when given.
    case status(Int, retryAfter: String? = nil)
    /// The connection closes before any response.
    case resetBeforeResponse
    /// The head and part of the body arrive, then the connection closes.
    case resetMidBody
    /// The request is processed, then the connection closes without a response (ingest only).
    case resetAfterProcessing
    /// The body arrives this many seconds after the head.
    case slowBody(Double)
    /// 200 with an HTML body.
    case notJSON
    /// 200 with a JSON body cut short.
    case truncatedJSON
    /// 200 with the records under another key (feed only).
    case missingRecords
    /// The page's next cursor points at the page itself (feed only).
    case cursorRepeat
    /// The page's next cursor points back at the page before it (feed only).
    case cursorCycle

    public var description: String {
        switch self {
        case .status(let code, let retryAfter): return "status \(code)" + (retryAfter.map { " Retry-After \($0)" } ?? "")
        case .resetBeforeResponse: return "reset before the response"
        case .resetMidBody: return "reset mid-body"
        case .resetAfterProcessing: return "reset after processing"
        case .slowBody(let seconds): return "body after \(seconds) s"
        case .notJSON: return "non-JSON body"
        case .truncatedJSON: return "truncated JSON"
        case .missingRecords: return "records key missing"
        case .cursorRepeat: return "cursor repeated"
        case .cursorCycle: return "cursor cycle"
        }
    }
}

/// Which requests a fault hits: the next `times` ones (then the route heals by itself), or every
/// one until ``FaultFeed/heal()`` / ``FaultIngest/heal()``.
public enum FaultDuration: Sendable {
    case times(Int)
    case always
}
