import NIOCore

/// Renders a batch plan's rows in PostgreSQL's COPY text format (tab-separated, `\N` for null,
/// backslash escapes), straight from the records' JSON text.
struct CopyTextRows {
    private var decoded: [UInt8] = []
    private var row: [FieldValue] = []

    /// Appends a line per record without a rejection: its columns, then `extra` (the load id...).
    mutating func render(_ plan: BatchPlan, _ bytes: UnsafeRawBufferPointer, columns: [TableColumn],
                         extra: String, into buffer: inout ByteBuffer) {
        for r in plan.records.indices where plan.records[r].rejection == nil {
            plan.row(r, columnCount: columns.count, into: &row)
            for value in row {
                append(value, bytes, into: &buffer)
                buffer.writeInteger(UInt8(ascii: "\t"))
            }
            buffer.writeString(extra)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }

    private mutating func append(_ value: FieldValue, _ bytes: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        switch value {
        case .null:
            buffer.writeStaticString("\\N")
        case .bool(let b):
            buffer.writeInteger(b ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .int(let i):
            Self.writeDecimal(i, into: &buffer)
        case .double(let range):
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[range]))
        case .string(let range, let escaped):
            // JSON strings hold no raw control characters: unescaped text goes as it is.
            if !escaped {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[range]))
                return
            }
            decoded.removeAll(keepingCapacity: true)
            JSONStringText.decode(bytes, range, into: &decoded)
            decoded.withUnsafeBytes { escape($0, into: &buffer) }
        case .json(let range):
            escape(UnsafeRawBufferPointer(rebasing: bytes[range]), into: &buffer)
        }
    }

    /// `i` in decimal, without making a String.
    private static func writeDecimal(_ i: Int64, into buffer: inout ByteBuffer) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = i.magnitude
            var at = 20
            repeat {
                at -= 1
                digits[at] = UInt8(truncatingIfNeeded: n % 10) + 0x30
                n /= 10
            } while n > 0
            if i < 0 { buffer.writeInteger(UInt8(ascii: "-")) }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[at...])))
        }
    }

    /// Text with COPY's escapes for backslash, tab, newline and carriage return.
    private func escape(_ text: UnsafeRawBufferPointer, into buffer: inout ByteBuffer) {
        var start = 0
        for (i, c) in text.enumerated() {
            let replacement: StaticString
            switch c {
            case UInt8(ascii: "\\"): replacement = "\\\\"
            case 0x09: replacement = "\\t"
            case 0x0A: replacement = "\\n"
            case 0x0D: replacement = "\\r"
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: text[start..<i]))
            buffer.writeStaticString(replacement)
            start = i + 1
        }
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: text[start...]))
    }
}
