import LuaflowCore

/// Label and attribute values pass through here before they leave the process: every registered
/// secret is masked, whatever the script or the connector put in them.
enum TelemetryRedaction {
    static func value(_ text: String) -> String {
        Redactor.shared.redact(text)
    }
}
