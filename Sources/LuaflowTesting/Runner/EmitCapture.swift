import LuaBridge
import LuaflowCore

/// Gives every connector a test file loads the prelude's `emit`, which collects the items of
/// the call being driven (`c:run`, `c:read`, `c:finalize`) instead of writing them downstream.
/// Installed before the script's top level runs, so `local emit = emit` sees it too.
struct EmitCapture: HostModule {
    /// The prelude's collecting `emit`, in the test file's state.
    let function: LuaRef

    func install(into lua: LuaState, env: LuaRef, node: NodeContext) throws {
        lua.setField(env, "emit", ref: function)
    }
}
