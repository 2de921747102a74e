/// PostgreSQL's binary dates and times (microseconds or days since 2000-01-01) as ISO-8601 text,
/// to the microsecond: a cursor read back from a record selects exactly the rows after it.
enum PostgresTimeText {
    private static let epochDays = 10_957  // 2000-01-01 in days since 1970-01-01
    private static let microsPerDay: Int64 = 86_400_000_000

    /// `2024-01-02T03:04:05.123456Z` (`zone`), or without the `Z` for a timestamp without zone.
    static func timestamp(_ micros: Int64, zone: Bool) -> String {
        if micros == .max { return "infinity" }
        if micros == .min { return "-infinity" }
        var days = micros / microsPerDay
        var rest = micros % microsPerDay
        if rest < 0 { rest += microsPerDay; days -= 1 }
        return civil(Int(days)) + "T" + clock(rest) + (zone ? "Z" : "")
    }

    /// `2024-01-02`.
    static func date(_ days: Int32) -> String {
        if days == .max { return "infinity" }
        if days == .min { return "-infinity" }
        return civil(Int(days))
    }

    /// `03:04:05.5`, with `+01:00` when `westOffset` (seconds west of UTC, as the server sends it) is given.
    static func time(_ micros: Int64, westOffset: Int32? = nil) -> String {
        guard let west = westOffset else { return clock(micros) }
        let east = -Int(west)
        let sign = east < 0 ? "-" : "+"
        return clock(micros) + sign + two(abs(east) / 3600) + ":" + two(abs(east) % 3600 / 60)
    }

    /// An ISO-8601 duration: `P1Y2M3DT4H5M6.5S`, `PT0S` for zero.
    static func interval(micros: Int64, days: Int32, months: Int32) -> String {
        var text = "P"
        if months / 12 != 0 { text += "\(months / 12)Y" }
        if months % 12 != 0 { text += "\(months % 12)M" }
        if days != 0 { text += "\(days)D" }
        var time = ""
        let hours = micros / 3_600_000_000, minutes = micros % 3_600_000_000 / 60_000_000, seconds = micros % 60_000_000
        if hours != 0 { time += "\(hours)H" }
        if minutes != 0 { time += "\(minutes)M" }
        if seconds != 0 { time += (seconds < 0 ? "-" : "") + "\(abs(seconds) / 1_000_000)" + fraction(abs(seconds) % 1_000_000) + "S" }
        if !time.isEmpty { text += "T" + time }
        return text == "P" ? "PT0S" : text
    }

    /// `HH:MM:SS` and the fraction of a second, trailing zeros dropped.
    private static func clock(_ micros: Int64) -> String {
        let seconds = Int(micros / 1_000_000)
        return two(seconds / 3600) + ":" + two(seconds % 3600 / 60) + ":" + two(seconds % 60) + fraction(Int64(micros % 1_000_000))
    }

    private static func fraction(_ micros: Int64) -> String {
        guard micros != 0 else { return "" }
        var digits = String(micros)
        digits = String(repeating: "0", count: 6 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "." + digits
    }

    /// The date `days` after 2000-01-01 (Howard Hinnant's civil_from_days).
    private static func civil(_ days: Int) -> String {
        let z = days + epochDays + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        let y = year < 0 ? "-" + four(-year) : four(year)
        return y + "-" + two(month) + "-" + two(day)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private static func four(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
}
