/// Splits a record's JSON text into its top-level fields without decoding nested values: the
/// sinks need each field's type and text, and objects and arrays go to a JSON column whole.
/// The text was validated as JSON before (``RecordValidator``); a record that is not an object
/// is reported, anything else malformed ends the scan with an error rather than a crash.
struct RecordScanner {
    struct NotAnObject: Error {}

    private let bytes: UnsafeRawBufferPointer
    private var at: Int
    private let end: Int

    init(_ bytes: UnsafeRawBufferPointer, record: Range<Int>) {
        self.bytes = bytes
        at = record.lowerBound
        end = record.upperBound
    }

    /// Appends the record's fields to `fields`, in their order in the text.
    mutating func scan(into fields: inout [ParsedField]) throws {
        skipSpace()
        guard peek == UInt8(ascii: "{") else { throw NotAnObject() }
        at += 1
        skipSpace()
        if peek == UInt8(ascii: "}") { return }
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { throw NotAnObject() }
            let (key, keyEscaped) = try string()
            skipSpace()
            guard peek == UInt8(ascii: ":") else { throw NotAnObject() }
            at += 1
            skipSpace()
            fields.append(ParsedField(key: key, keyEscaped: keyEscaped, value: try value()))
            skipSpace()
            guard at < end else { throw NotAnObject() }
            let c = bytes[at]
            at += 1
            if c == UInt8(ascii: "}") { return }
            guard c == UInt8(ascii: ",") else { throw NotAnObject() }
        }
    }

    private var peek: UInt8 { at < end ? bytes[at] : 0 }

    private mutating func skipSpace() {
        while at < end, bytes[at] == 0x20 || bytes[at] == 0x09 || bytes[at] == 0x0A || bytes[at] == 0x0D { at += 1 }
    }

    /// At an opening quote: the range between the quotes, and whether it holds escapes.
    private mutating func string() throws -> (Range<Int>, Bool) {
        at += 1
        let start = at
        var escaped = false
        while at < end {
            let c = bytes[at]
            if c == UInt8(ascii: "\"") {
                at += 1
                return (start..<at - 1, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                at += 1
            }
            at += 1
        }
        throw NotAnObject()
    }

    private mutating func value() throws -> FieldValue {
        switch peek {
        case UInt8(ascii: "\""):
            let (range, escaped) = try string()
            return .string(range, escaped: escaped)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = at
            try skipNested()
            return .json(start..<at)
        case UInt8(ascii: "t"):
            at += 4
            return .bool(true)
        case UInt8(ascii: "f"):
            at += 5
            return .bool(false)
        case UInt8(ascii: "n"):
            at += 4
            return .null
        default:
            return number()
        }
    }

    /// Past an object or array, strings inside included.
    private mutating func skipNested() throws {
        var depth = 0
        while at < end {
            switch bytes[at] {
            case UInt8(ascii: "\""):
                _ = try string()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    at += 1
                    return
                }
            default:
                break
            }
            at += 1
        }
        throw NotAnObject()
    }

    /// An integer that fits 64 bits, or else the number's text.
    private mutating func number() -> FieldValue {
        let start = at
        var negative = false
        if peek == UInt8(ascii: "-") {
            negative = true
            at += 1
        }
        var magnitude: UInt64 = 0
        var overflow = false
        while at < end, bytes[at] >= 0x30, bytes[at] <= 0x39 {
            let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (m2, o2) = m1.addingReportingOverflow(UInt64(bytes[at] - 0x30))
            magnitude = m2
            overflow = overflow || o1 || o2
            at += 1
        }
        var fraction = false
        while at < end, let c = Optional(bytes[at]),
              c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+")
                || c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
            fraction = true
            at += 1
        }
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        if fraction || overflow || magnitude > limit { return .double(start..<at) }
        return .int(negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude))
    }
}
