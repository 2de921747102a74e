import CLuaShim
import Foundation

/// SIGINT and SIGTERM, as the run sees them: the C handler counts them, and every part of a
/// run that waits (sources between batches, queues, HTTP requests and retry sleeps, running Lua
/// through its hook) checks this and stops promptly.
public enum Interrupt {
    /// Installs the handler (the CLI's `run` does; a second signal exits at once, after writing
    /// `notice(signalName)` to standard error).
    public static func installHandlers(notice: (String) -> String) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            luaflow_set_exit_notice(number, notice(name))
        }
        luaflow_install_stop_handlers()
    }

    /// Whether a stop signal arrived.
    public static var requested: Bool { luaflow_interrupt_requested() > 0 }

    /// The exit status for the signal received: 130 for SIGINT, 143 for SIGTERM.
    public static var exitStatus: Int32 {
        128 + (luaflow_interrupt_signal() == 0 ? SIGINT : luaflow_interrupt_signal())
    }

    /// The signal's name, for messages.
    public static var signalName: String {
        luaflow_interrupt_signal() == SIGTERM ? "SIGTERM" : "SIGINT"
    }

    /// Sleeps up to `seconds`, waking early when a stop signal arrives. Returns false then.
    @discardableResult
    public static func sleep(seconds: Double) -> Bool {
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
        while !requested {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= end { return true }
            Thread.sleep(forTimeInterval: min(0.02, Double(end - now) / 1e9))
        }
        return false
    }
}
