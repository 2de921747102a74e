import Foundation
import LuaBridge

/// `time.now()`, `time.sleep(s)` and `every(seconds, fn)` in one node's environment, and the
/// node's timers: their schedule (kept in Swift, so the node's thread knows when to wake) and the
/// Lua function that calls the due ones.
final class NodeTimers {
    private(set) var schedule = TimerSchedule()
    /// fire(): calls each due timer (what they `emit` goes where the caller's buffer says).
    private(set) var fire: LuaRef?

    var active: Bool { !schedule.isEmpty }

    /// Installs the functions into `env`; timers are allowed in transforms and sinks.
    static func install(into lua: LuaState, env: LuaRef, role: NodeSpec.Role) throws -> NodeTimers {
        let timers = NodeTimers()
        let host = lua.newTable()
        lua.register("now", in: host) { _ in [.number(Date().timeIntervalSince1970)] }
        lua.register("sleep", in: host) { [unowned lua] args in
            try Self.sleep(args, lua: lua)
            return []
        }
        lua.register("register", in: host) { [unowned timers] args in
            guard case let seconds? = Self.number(args[1]),
                  let n = timers.schedule.add(seconds: seconds, now: DispatchTime.now().uptimeNanoseconds) else { return [.nil] }
            return [.integer(Int64(n))]
        }
        lua.register("due", in: host) { [unowned timers] _ in
            timers.schedule.takeDue(now: DispatchTime.now().uptimeNanoseconds).map { LuaValue.integer(Int64($0)) }
        }
        lua.setField(host, "timers_allowed", .boolean(role != .source))
        let prelude = try lua.load(BundledLua.time.bytes, chunkName: BundledLua.time.chunkName)
        lua.setEnvironment(of: prelude, to: env)
        defer { lua.release(host) }
        timers.fire = try lua.callReturningRef(prelude, refArgs: [env, host])
        return timers
    }

    private static func number(_ value: LuaValue) -> Double? {
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    /// time.sleep(s): waits on the node's thread, ends early on a stop signal, and counts against
    /// the call's time limit (a sleep past it fails the call as a runaway loop would).
    private static func sleep(_ args: HostArguments, lua: LuaState) throws {
        guard let seconds = number(args[1]), seconds >= 0, seconds.isFinite else {
            throw HostFunctionError("time.sleep(seconds): seconds must be a number >= 0, got \(args.typeName(1))")
        }
        let wait = min(seconds, max(0, lua.callTimeLeft ?? seconds))
        let started = DispatchTime.now().uptimeNanoseconds
        let completed = Interrupt.sleep(seconds: wait)
        lua.chargeWait(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        if !completed { throw HostFunctionError("interrupted: the run is stopping") }
        if wait < seconds {
            throw HostFunctionError("time limit exceeded: time.sleep(\(seconds)) would run past the node's time_limit of \(lua.timeLimit) s per call")
        }
    }

    /// The node starts running: each timer's first period starts now; no timer is added later.
    func start() {
        schedule.seal()
        schedule.start(now: DispatchTime.now().uptimeNanoseconds)
    }

    /// Seals the schedule once the script's top level ran.
    func seal() { schedule.seal() }

    /// Seconds until the next timer is due (0: now); nil without timers.
    var secondsUntilNext: Double? {
        schedule.untilNext(now: DispatchTime.now().uptimeNanoseconds).map { Double($0) / 1e9 }
    }
}
