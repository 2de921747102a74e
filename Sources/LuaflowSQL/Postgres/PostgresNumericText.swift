import NIOCore

/// `numeric` values from their binary form (digit count, weight, sign, display scale, then
/// base-10000 digits) to decimal text with every digit, as PostgreSQL prints them.
enum PostgresNumericText {
    /// The text, and whether it is a finite number (not `NaN` or an infinity).
    static func format(_ buffer: inout ByteBuffer) -> (String, Bool) {
        guard let count = buffer.readInteger(as: Int16.self), let weight = buffer.readInteger(as: Int16.self),
              let sign = buffer.readInteger(as: UInt16.self), let scale = buffer.readInteger(as: Int16.self) else { return ("NaN", false) }
        switch sign {
        case 0xC000: return ("NaN", false)
        case 0xD000: return ("Infinity", false)
        case 0xF000: return ("-Infinity", false)
        default: break
        }
        var digits: [Int] = []
        for _ in 0..<max(0, Int(count)) { digits.append(Int(buffer.readInteger(as: Int16.self) ?? 0)) }
        // Digit i stands for digits[i] * 10000^(weight - i).
        var integer = ""
        if weight < 0 {
            integer = "0"
        } else {
            for i in 0...Int(weight) {
                let group = i < digits.count ? digits[i] : 0
                integer += i == 0 ? String(group) : pad(group)
            }
        }
        var fraction = ""
        if scale > 0 {
            var i = Int(weight) + 1
            while fraction.count < Int(scale) {
                let group = i >= 0 && i < digits.count ? digits[i] : 0
                fraction += pad(group)
                i += 1
            }
            fraction = String(fraction.prefix(Int(scale)))
        }
        let text = (sign == 0x4000 ? "-" : "") + integer + (fraction.isEmpty ? "" : "." + fraction)
        return (text, true)
    }

    private static func pad(_ group: Int) -> String {
        let text = String(group)
        return String(repeating: "0", count: 4 - text.count) + text
    }
}
