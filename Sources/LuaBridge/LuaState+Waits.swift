import CLuaShim

extension LuaState {
    /// Seconds the running call may still take before its time limit (nil: no limit). A host
    /// function that waits on the script's behalf (`time.sleep`) asks before it waits...
    public var callTimeLeft: Double? {
        checkOwner()
        let left = luaflow_call_time_left(handle)
        return left == Int64.max ? nil : Double(left) / 1e9
    }

    /// ...and charges the wait to the call afterwards: host time is otherwise not the script's,
    /// and a script that only sleeps would never run out of time.
    public func chargeWait(_ seconds: Double) {
        checkOwner()
        luaflow_charge_wait(handle, Int64(max(0, seconds) * 1e9))
    }
}
