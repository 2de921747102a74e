import Foundation
import LuaBridge

/// The time budget of the Lua call a `sql` host function runs in. The database's work on a
/// script's behalf is the script's: every statement stops once the call's `time_limit` passes
/// (SQLite's progress handler, PostgreSQL's statement cancel), and the time it took is charged
/// to the call, so a script cannot spend its time in the database instead of in Lua.
struct SQLCallClock {
    /// Seconds the running call may still take (nil: no limit).
    let timeLeft: () -> Double?
    /// Charges `seconds` of host time to the running call.
    let charge: (Double) -> Void
    /// The node's `time_limit` in seconds, for messages.
    let limit: Double

    /// The clock of `lua`'s running call (weak: the state owns the binding that holds this).
    init(_ lua: LuaState) {
        timeLeft = { [weak lua] in lua?.callTimeLeft }
        charge = { [weak lua] in lua?.chargeWait($0) }
        limit = lua.timeLimit
    }

    /// The error of a statement stopped by the time limit, in the words of a Lua call that ran out of time.
    var exceeded: HostFunctionError {
        HostFunctionError("time limit exceeded: a call ran longer than \(String(format: "%g", limit)) s, its database statement included (a runaway query? raise the node's time_limit if the work is real)")
    }
}
