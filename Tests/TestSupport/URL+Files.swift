import Foundation

extension URL {
    /// Writes `text` to `relative` under this directory, creating directories on the way.
    public func write(_ relative: String, _ text: String) throws {
        let url = appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    public func read(_ relative: String) throws -> String {
        try String(contentsOf: appendingPathComponent(relative), encoding: .utf8)
    }
}
