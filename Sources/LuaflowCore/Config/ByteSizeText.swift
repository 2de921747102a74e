import Foundation

/// Sizes in config: a number of bytes, or text such as "512KB", "1MB", "256MB", "2GB" (powers of
/// 1024, the forms `lua/config_schema.lua`'s `byte_size` field accepts).
public enum ByteSizeText {
    /// Bytes `value` stands for; nil when it is neither a positive integer nor such text.
    public static func bytes(_ value: Any?) -> Int64? {
        if let number = value as? NSNumber, !NodeOptions.isBoolean(number) {
            return number.doubleValue >= 1 ? Int64(exactly: number.doubleValue.rounded(.down)) : nil
        }
        guard let text = (value as? String)?.trimmingCharacters(in: .whitespaces).uppercased() else { return nil }
        let units: [(String, Double)] = [("KB", 1024), ("MB", 1_048_576), ("GB", 1_073_741_824), ("B", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let n = Double(digits), n > 0, n.isFinite else { continue }
            return Int64(n * scale)
        }
        return nil
    }
}
