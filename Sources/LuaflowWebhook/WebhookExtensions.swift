import LuaflowCore

/// `source.webhook`, as the CLI installs it (`InstalledExtensions`).
public enum WebhookExtensions {
    /// The built-in and the stop-signal hook that ends its servers' waits.
    public static func extensions() -> HostExtensions {
        let live = LiveWebhooks()
        return HostExtensions(
            runtimes: ["source.webhook": BuiltinRuntime(schema: BundledLua.sourceWebhook.source) { node in
                try WebhookSourceRuntime(node, live: live)
            }],
            onInterrupt: [{ live.interrupt() }])
    }
}
