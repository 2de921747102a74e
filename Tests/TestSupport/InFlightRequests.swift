import Dispatch
import LuaflowCore

/// How many requests a route was answering at once, as the server saw them: a route whose
/// answers go out `delay` seconds after the request arrived calls ``arrived(answeringIn:)`` for
/// each request. A client that waits for each answer before it sends the next request is never
/// seen with two in flight, however slow the machine is: the next request arrives after the
/// answer went out.
public final class InFlightRequests: Sendable {
    /// When each answer not yet sent goes out, and the most requests seen in flight at once.
    private let state = Locked<(answers: [DispatchTime], most: Int)>(([], 0))

    public init() {}

    /// A request arrived and will be answered `delay` seconds from now.
    public func arrived(answeringIn delay: Double) {
        let now = DispatchTime.now()
        state.withLock { state in
            state.answers.removeAll { $0 <= now }
            state.answers.append(now + delay)
            state.most = max(state.most, state.answers.count)
        }
    }

    /// The most requests that were in flight at once.
    public var most: Int { state.withLock { $0.most } }
}
