import Foundation

/// Segments as local files (`sink.file`): each an `AtomicFileWriter`, its unfinished bytes in the
/// hidden in-progress file beside its target (`.name.partial`).
struct LocalFileStore: SegmentStore {
    func segment(_ target: String) -> SegmentWriter { AtomicFileWriter(path: target) }

    func isTaken(_ target: String) -> Bool {
        FileManager.default.fileExists(atPath: target) || FileManager.default.fileExists(atPath: AtomicFileWriter.partialPath(for: target))
    }

    /// In-progress files beside the pattern whose names fit it (`.events-*.jsonl.partial`).
    func unfinished(matching pattern: String) throws -> [String] {
        let url = URL(fileURLWithPath: pattern)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var regex = "^\\."
        var rest = Substring(name)
        while let open = rest.range(of: "{") {
            regex += NSRegularExpression.escapedPattern(for: String(rest[..<open.lowerBound]))
            if let close = rest[open.upperBound...].range(of: "}") {
                regex += ".+"
                rest = rest[close.upperBound...]
            } else {
                rest = rest[open.lowerBound...]
                break
            }
        }
        regex += NSRegularExpression.escapedPattern(for: String(rest)) + "\\.partial$"
        let matcher = try NSRegularExpression(pattern: regex)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { matcher.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
            .map { directory + "/" + String($0.dropFirst().dropLast(".partial".count)) }
    }
}
