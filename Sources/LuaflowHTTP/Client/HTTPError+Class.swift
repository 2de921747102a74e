import LuaflowCore

extension HTTPError {
    /// The error class: 401/403 and failed token requests are `auth`, retryable statuses left bad
    /// after the retries are `transient`, lost connections and timeouts `connection`, unusable
    /// responses `data`. Loops, config mistakes and other statuses have none.
    public var errorClass: ErrorClass? {
        switch kind {
        case .authentication: return .auth
        case .connection, .timeout: return .connection
        case .invalidResponse: return .data
        case .status:
            guard let status else { return nil }
            if status == 401 || status == 403 { return .auth }
            if status == 408 || status == 429 || status >= 500 { return .transient }
            return nil
        default: return nil
        }
    }
}
