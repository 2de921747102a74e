import Foundation

/// Replaces known secret values (config fields of type `secret`) with `***` in everything the
/// host prints: logs, errors and summaries.
public final class Redactor: @unchecked Sendable {
    public static let shared = Redactor()
    private let lock = NSLock()
    private var secrets: [String] = []

    /// Registers a value to hide. Values shorter than 4 characters are ignored (they would hide
    /// ordinary text).
    public func add(_ secret: String) {
        guard secret.count >= 4 else { return }
        lock.withLock {
            if !secrets.contains(secret) { secrets.append(secret) }
            secrets.sort { $0.count > $1.count }
        }
    }

    public func redact(_ text: String) -> String {
        let current = lock.withLock { secrets }
        var result = text
        for s in current where result.contains(s) {
            result = result.replacingOccurrences(of: s, with: "***")
        }
        return result
    }
}
