/// JSON text written straight into bytes, for the records database sources and the `sql` module
/// produce.
enum JSONBytes {
    static let null = Array("null".utf8)

    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value.isFinite {
            out += Array("\(value)".utf8)
        } else {
            appendString(value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"), to: &out)
        }
    }

    /// `text` as a JSON string: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), byte]
            case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
            case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20: out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `"name":`, the start of an object member.
    static func key(_ name: String) -> [UInt8] {
        var key: [UInt8] = []
        appendString(name, to: &key)
        return key + [UInt8(ascii: ":")]
    }
}
