import Foundation
import Logging
import LuaflowCore

/// swift-log handler that writes one line per message to standard error, as text
/// (`warning [node] message`) or JSON, with secrets redacted.
struct StderrLogHandler: LogHandler {
    let label: String
    let json: Bool
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String, json: Bool) {
        self.label = label
        self.json = json
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let message = Redactor.shared.redact(event.message.description)
        if json {
            var object: [String: String] = ["level": event.level.rawValue, "message": message,
                                            "time": ISO8601DateFormatter().string(from: Date())]
            for (k, v) in all { object[k] = Redactor.shared.redact(v.description) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            Self.write(String(decoding: data, as: UTF8.self))
        } else {
            let node = all["node"].map { "[\($0)] " } ?? ""
            Self.write("\(event.level.rawValue) \(node)\(message)")
        }
    }

    private static let lock = NSLock()
    /// Lines of the live progress display currently at the bottom of the terminal.
    nonisolated(unsafe) private static var liveLines = 0

    /// Writes a line to stderr atomically with respect to other log lines; a live progress
    /// display is erased first (it is drawn again at its next tick).
    static func write(_ line: String) {
        lock.withLock { FileHandle.standardError.write(Data((eraseLive() + line + "\n").utf8)) }
    }

    /// Replaces the live progress display with `lines` (no lines: removes it).
    static func redrawLive(_ lines: [String]) {
        lock.withLock {
            let text = eraseLive() + lines.map { $0 + "\n" }.joined()
            liveLines = lines.count
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// The escape sequence that moves up over the live lines and clears them. Call under `lock`.
    private static func eraseLive() -> String {
        defer { liveLines = 0 }
        return liveLines == 0 ? "" : "\u{1B}[\(liveLines)A\r\u{1B}[J"
    }
}
