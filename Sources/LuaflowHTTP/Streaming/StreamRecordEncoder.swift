import Foundation

/// Builds the JSON lines the streaming sources emit: `{"event":...,"id":...,"data":...}` for an
/// event, `{"data":...}` for a WebSocket message. A payload that is JSON is embedded as it is
/// (key order and number text kept; line breaks between its tokens become spaces); any other
/// payload becomes a JSON string.
enum StreamRecordEncoder {
    /// One record: `fields` in order, each value already JSON text, on a line of its own.
    static func line(_ fields: [(String, String)]) -> [UInt8] {
        var out = "{"
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { out += "," }
            out += string(key) + ":" + value
        }
        out += "}\n"
        return Array(out.utf8)
    }

    /// `text` as a JSON value when it parses as one, else as a JSON string.
    static func payload(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let first = trimmed.utf8.first, "{[\"-0123456789tfn".utf8.contains(first),
              (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])) != nil else {
            return string(text)
        }
        // Inside valid JSON a raw line break can only sit between tokens (strings escape theirs).
        return String(trimmed.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }

    /// `text` as a JSON string literal.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
