import Foundation
import LuaflowCore
import NIOCore

extension EventLoopFuture where Value: Sendable {
    /// The future's value, for a node's thread (never an event loop or the cooperative pool):
    /// waits at most until `deadline` (then throws ``HTTPError/Kind/timeout`` with `what`), and
    /// throws ``HTTPError/Kind/cancelled`` at once on a stop signal.
    func waitForValue(until deadline: UInt64, _ what: String) throws -> Value {
        let done = DispatchSemaphore(value: 0)
        let result = Locked<Result<Value, Error>?>(nil)
        whenComplete { outcome in
            result.withLock { $0 = outcome }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            if Interrupt.requested { throw HTTPError(.cancelled, detail: "stopped by \(Interrupt.signalName)") }
            if StreamDeadline.now >= deadline { throw HTTPError(.timeout, detail: what) }
        }
        return try result.withLock { $0! }.get()
    }
}
