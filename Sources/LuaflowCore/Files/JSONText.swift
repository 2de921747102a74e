/// Small helpers over JSON text that do not need a Lua state.
enum JSONText {
    /// The keys of a JSON object, in the order the text has them (nil when it is not an object).
    static func topLevelKeys(_ text: UnsafeRawBufferPointer) -> [String]? {
        var i = 0
        func skipSpace() { while i < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[i]) { i += 1 } }
        /// Reads a string starting at the opening quote; returns its raw (still escaped) content.
        func readString() -> String? {
            guard i < text.count, text[i] == 0x22 else { return nil }
            i += 1
            let start = i
            while i < text.count, text[i] != 0x22 {
                i += text[i] == 0x5C ? 2 : 1
            }
            guard i < text.count else { return nil }
            let raw = String(decoding: UnsafeRawBufferPointer(rebasing: text[start..<i]), as: UTF8.self)
            i += 1
            return raw
        }
        func skipValue() -> Bool {
            var depth = 0
            while i < text.count {
                switch text[i] {
                case 0x22: if readString() == nil { return false }; continue
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    if depth == 0 { return true }
                    depth -= 1
                case 0x2C: if depth == 0 { return true }
                default: break
                }
                i += 1
            }
            return depth == 0
        }
        skipSpace()
        guard i < text.count, text[i] == 0x7B else { return nil }
        i += 1
        var keys: [String] = []
        while true {
            skipSpace()
            if i < text.count, text[i] == 0x7D { return keys }
            guard let key = readString() else { return nil }
            keys.append(key.contains("\\") ? unescape(key) : key)
            skipSpace()
            guard i < text.count, text[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            guard skipValue() else { return nil }
            if i < text.count, text[i] == 0x2C { i += 1 }
        }
    }

    private static func unescape(_ raw: String) -> String {
        guard let data = "\"\(raw)\"".data(using: .utf8),
              let s = try? JSONDecoder().decode(String.self, from: data) else { return raw }
        return s
    }
}

import Foundation
