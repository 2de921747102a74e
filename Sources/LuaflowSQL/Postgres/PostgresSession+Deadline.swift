import Dispatch
import LuaflowCore

/// A script call's deadline passed while the server ran its statement, and the server cancelled it.
struct PostgresDeadlinePassed: Error {}

extension PostgresSession {
    /// Runs `body` (blocking calls on this session for one script call). If it still runs
    /// `seconds` from now, the server is asked to cancel the connection's statement, as a stop
    /// signal does (``PostgresBackendCancel``); `body` then fails with the server's cancel, and
    /// this throws ``PostgresDeadlinePassed`` instead. nil: no deadline.
    func cancelling<T>(after seconds: Double?, _ body: () throws -> T) throws -> T {
        guard let seconds, let cancel = backendCancel else { return try body() }
        let state = Locked(DeadlineState.armed)
        let sent = DispatchSemaphore(value: 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0, min(seconds, 1e9))) {
            let due = state.withLock { state in
                guard state == .armed else { return false }
                state = .firing
                return true
            }
            guard due else { return }
            cancel.send()
            sent.signal()
        }
        let result = Result { try body() }
        let fired = state.withLock { state in
            guard state == .armed else { return true }
            state = .disarmed
            return false
        }
        // A cancel under way lands before the next statement is sent.
        if fired { sent.wait() }
        if fired, case .failure = result { throw PostgresDeadlinePassed() }
        return try result.get()
    }
}

private enum DeadlineState: Sendable {
    case armed, firing, disarmed
}
