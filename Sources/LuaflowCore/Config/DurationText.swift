import Foundation

/// Durations in config: a number of seconds, or text such as "500ms", "10s", "5m", "1h", "1d"
/// (the forms `lua/config_schema.lua`'s `duration` field accepts).
public enum DurationText {
    /// Seconds `value` stands for; nil when it is neither a positive number nor such text.
    public static func seconds(_ value: Any?) -> Double? {
        if let number = value as? NSNumber, !NodeOptions.isBoolean(number) {
            return number.doubleValue > 0 && number.doubleValue.isFinite ? number.doubleValue : nil
        }
        guard let text = (value as? String)?.trimmingCharacters(in: .whitespaces) else { return nil }
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let n = Double(digits), n > 0, n.isFinite else { continue }
            return n * scale
        }
        return nil
    }
}
