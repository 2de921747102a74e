/// File formats of the built-in file source and sink.
public enum FileFormat: String, Sendable, CaseIterable {
    case jsonl, json, csv, txt

    /// The format named in config, or guessed from the file extension (`.jsonl`/`.ndjson`,
    /// `.json`, `.csv`/`.tsv`, anything else: txt).
    static func resolve(_ named: String?, path: String) throws -> FileFormat {
        if let named {
            guard let format = FileFormat(rawValue: named) else {
                throw FileConfigError("format must be one of \(allCases.map(\.rawValue).joined(separator: ", ")), got '\(named)'")
            }
            return format
        }
        let ext = path.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "jsonl", "ndjson": return .jsonl
        case "json": return .json
        case "csv", "tsv": return .csv
        default: return .txt
        }
    }
}

/// A problem with a built-in file node's config.
struct FileConfigError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
