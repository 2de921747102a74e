import Foundation

/// The cursor of ``JSONScanner``: walks values, skipping what no path needs and decoding what does.
struct JSONByteReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var atEnd: Bool { index >= bytes.count }

    func failure(_ message: String) -> HTTPError {
        HTTPError(.invalidResponse, detail: "invalid JSON at byte \(index): \(message)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Reads one value; `node` (nil: nothing below is wanted) says what to record.
    mutating func walk(_ node: PathTrie?, depth: Int, into extract: inout JSONScanner.Extract) throws {
        skipWhitespace()
        guard index < bytes.count else { throw failure("unexpected end of data") }
        guard depth < JSONScanner.maxDepth else { throw failure("nested too deeply") }
        let start = index
        let wantsValue = !(node?.valuePaths.isEmpty ?? true)
        var value: Any?
        var count: Int? = 1
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            value = JSONScanner.container
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; break }
            while true {
                skipWhitespace()
                let key = try rawString()
                try expect(UInt8(ascii: ":"))
                let member = node.flatMap { $0.children.isEmpty ? nil : lookup(key, in: $0) }
                try walk(member, depth: depth + 1, into: &extract)
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated object") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        case UInt8(ascii: "["):
            index += 1
            value = JSONScanner.container
            count = 0
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; break }
            var elements = 0
            while true {
                try walk(node?.child(index: elements), depth: depth + 1, into: &extract)
                elements += 1
                skipWhitespace()
                guard index < bytes.count else { throw failure("unterminated array") }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                try expect(UInt8(ascii: "]"))
                break
            }
            count = elements
        case UInt8(ascii: "\""):
            let raw = try rawString()
            if wantsValue { value = try decode(raw) }
        case UInt8(ascii: "t"): try literal("true"); value = true
        case UInt8(ascii: "f"): try literal("false"); value = false
        case UInt8(ascii: "n"): try literal("null"); count = nil
        default:
            let range = try numberBytes()
            if wantsValue { value = try number(range) }
        }
        guard let node else { return }
        if let value { for path in node.valuePaths { extract.values[path] = value } }
        if let count { for path in node.countPaths { extract.counts[path] = count } }
        for path in node.spanPaths { extract.spans[path] = start..<index }
    }

    /// The child of `node` for the object key in `key` (raw bytes, compared without decoding unless escaped).
    private func lookup(_ key: Range<Int>, in node: PathTrie) -> PathTrie? {
        let slice = UnsafeBufferPointer(rebasing: bytes[key])
        if !slice.contains(UInt8(ascii: "\\")) { return node.child(slice) }
        guard let decoded = try? decode(key) else { return nil }
        return node.child(Array(decoded.utf8))  // escaped keys are rare
    }

    /// Moves past a string and returns the range of its raw (still escaped) content.
    private mutating func rawString() throws -> Range<Int> {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string") }
        index += 1
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return start..<(index - 1)
            case UInt8(ascii: "\\"):
                index += 2
            default:
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private func decode(_ range: Range<Int>) throws -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[range])
        guard raw.contains(UInt8(ascii: "\\")) else { return String(decoding: raw, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var i = 0
        func flush() { scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars); utf8.removeAll() }
        func hex(_ at: Int) throws -> UInt32 {
            guard at + 4 <= raw.count, let value = UInt32(String(decoding: raw[at..<at + 4], as: UTF8.self), radix: 16) else {
                throw failure("bad \\u escape")
            }
            return value
        }
        while i < raw.count {
            guard raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count else { utf8.append(raw[i]); i += 1; continue }
            let escaped = raw[i + 1]
            i += 2
            let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08, 0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
            if let byte = simple[escaped] { utf8.append(byte); continue }
            guard escaped == UInt8(ascii: "u") else { throw failure("bad escape") }
            var code = try hex(i)
            i += 4
            if (0xD800..<0xDC00).contains(code), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                let low = try hex(i + 2)
                if (0xDC00..<0xE000).contains(low) { code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00); i += 6 }
            }
            flush()
            scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
        }
        flush()
        return String(scalars)
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
              UnsafeBufferPointer(rebasing: bytes[index..<index + count]).elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count))
        else { throw failure("unknown literal") }
        index += count
    }

    /// Moves past the characters a number may contain and returns their range (checked by ``number(_:)``
    /// only when the value is wanted; a skipped number just has to be non-empty).
    private mutating func numberBytes() throws -> Range<Int> {
        let start = index
        var digits = 0
        scan: while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                index += 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                index += 1
            default:
                break scan
            }
        }
        guard digits > 0 else { throw failure(index > start ? "malformed number" : "unexpected character") }
        return start..<index
    }

    /// A number as `Int` when it is an integer that fits, else `Double`.
    private func number(_ range: Range<Int>) throws -> Any {
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if let integer = Int(text) { return integer }
        guard let double = Double(text), double.isFinite else { throw failure("malformed number") }
        return double
    }
}
