import CLuaShim

/// The step of a batch call at which a record failed.
public enum BatchPhase: Sendable {
    /// The record is not valid JSON.
    case decode
    /// The script raised.
    case call
    /// What the script returned cannot be written as a record.
    case encode
}

extension luaflow_batch_io {
    /// The step at which the failing record of the last call failed (nil when none did).
    public var failedPhase: BatchPhase? {
        switch Int(phase) {
        case Int(LUAFLOW_PHASE_DECODE): return .decode
        case Int(LUAFLOW_PHASE_CALL): return .call
        case Int(LUAFLOW_PHASE_ENCODE): return .encode
        default: return nil
        }
    }
}
