/// Whether a string reads as an ISO-8601 date or timestamp (`2026-11-30`, `2026-11-30T12:05:00Z`,
/// `2026-11-30 12:05:00.123+01:00`): what a timestamptz column takes.
enum ISO8601Text {
    static func matches(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        func digits(_ n: Int) -> Bool {
            guard i + n <= end else { return false }
            for k in i..<i + n where !(0x30...0x39).contains(bytes[k]) { return false }
            i += n
            return true
        }
        func literal(_ c: Character) -> Bool {
            guard i < end, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard digits(4), literal("-"), digits(2), literal("-"), digits(2) else { return false }
        if i == end { return true }
        guard literal("T") || literal(" "), digits(2), literal(":"), digits(2) else { return false }
        if literal(":") {
            guard digits(2) else { return false }
            if literal(".") || literal(",") {
                let start = i
                while i < end, (0x30...0x39).contains(bytes[i]) { i += 1 }
                guard i > start else { return false }
            }
        }
        if i == end || literal("Z") { return i == end }
        guard literal("+") || literal("-"), digits(2) else { return false }
        if i == end { return true }
        _ = literal(":")
        return digits(2) && i == end
    }
}
