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
        var text = event.message.description
        if let error = event.error {
            // The error a library logs beside its message (swift-otel's "Failed to export metrics.") is the reason.
            if text.hasSuffix(".") { text.removeLast() }
            text += ": \(error)"
        }
        let message = Redactor.shared.redact(text)
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

    /// Lines of the live progress display currently at the bottom of the terminal. Writes to
    /// stderr happen under its lock, so lines never interleave.
    private static let liveLines = Locked(0)

    /// Writes a line to stderr atomically with respect to other log lines; a live progress
    /// display is erased first (it is drawn again at its next tick).
    static func write(_ line: String) {
        liveLines.withLock { live in FileHandle.standardError.write(Data((erase(&live) + line + "\n").utf8)) }
    }

    /// Replaces the live progress display with `lines` (no lines: removes it).
    static func redrawLive(_ lines: [String]) {
        liveLines.withLock { live in
            let text = erase(&live) + lines.map { $0 + "\n" }.joined()
            live = lines.count
            FileHandle.standardError.write(Data(text.utf8))
        }
    }

    /// The escape sequence that moves up over the `live` lines and clears them (`live` becomes 0).
    private static func erase(_ live: inout Int) -> String {
        defer { live = 0 }
        return live == 0 ? "" : "\u{1B}[\(live)A\r\u{1B}[J"
    }
}
