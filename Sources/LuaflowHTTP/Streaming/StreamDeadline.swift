import Foundation
import LuaflowCore

/// Points in time for the streams' waits, in uptime nanoseconds (`DispatchTime`).
enum StreamDeadline {
    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// `seconds` from now (nil stays nil: no deadline).
    static func after(_ seconds: Double?) -> UInt64? {
        seconds.map { now + UInt64(max(0, $0) * 1e9) }
    }

    /// Sleeps until `end` or `deadline`, whichever is first. Returns false when the deadline
    /// came first; throws ``HTTPError/Kind/cancelled`` on a stop signal.
    static func sleep(until end: UInt64, deadline: UInt64?) throws -> Bool {
        let stop = min(end, deadline ?? .max)
        let start = now
        if stop > start, !Interrupt.sleep(seconds: Double(stop - start) / 1e9) {
            throw HTTPError(.cancelled, detail: "stopped by \(Interrupt.signalName)")
        }
        if Interrupt.requested { throw HTTPError(.cancelled, detail: "stopped by \(Interrupt.signalName)") }
        return stop == end
    }
}
