import Logging

/// The engine's logger. The CLI bootstraps swift-log (text or JSON, level) before first use.
public enum PipelineLog {
    public static let logger = Logger(label: "luaflow")
}

extension Logger.Level {
    /// Maps a script's `log.<level>` name.
    init(luaLevel: String) {
        switch luaLevel {
        case "debug": self = .debug
        case "warn": self = .warning
        case "error": self = .error
        default: self = .info
        }
    }
}
