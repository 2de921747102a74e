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

extension URL {
    /// Whether `relative` exists under this directory.
    public func exists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: appendingPathComponent(relative).path)
    }

    /// The integer `field` of every record of the JSON Lines file `relative` ([] when it does not exist).
    public func ids(in relative: String, field: String = "id") throws -> [Int] {
        guard exists(relative) else { return [] }
        return try read(relative).split(separator: "\n").map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])[field] as! Int
        }
    }
}
