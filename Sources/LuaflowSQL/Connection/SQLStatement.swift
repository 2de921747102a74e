/// Which database a statement is written for: how its placeholders look.
public enum SQLDialect: Sendable {
    /// `$1`, `$2`... (a number may repeat).
    case postgres
    /// `?`, one per value.
    case sqlite
}

/// A statement whose `:name` parameters became placeholders, and the name bound to each one.
/// Names in quotes, comments and `::type` casts are left alone. Values are always bound, never
/// written into the text.
struct SQLStatement: Equatable {
    var sql: String
    /// The parameter each placeholder takes: `$k` takes `names[k-1]` (PostgreSQL, each name
    /// once), the k-th `?` takes `names[k-1]` (SQLite, a name as often as it appears).
    var names: [String]

    init(_ text: String, dialect: SQLDialect) {
        var out = ""
        var names: [String] = []
        var index = text.startIndex
        var quote: Character?
        func isNameCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        while index < text.endIndex {
            let c = text[index]
            let rest = text[index...]
            if let q = quote {
                out.append(c)
                if c == q { quote = nil }
                index = text.index(after: index)
                continue
            }
            if c == "'" || c == "\"" {
                quote = c
            } else if rest.hasPrefix("--") {
                let end = rest.firstIndex(of: "\n") ?? text.endIndex
                out += rest[..<end]
                index = end
                continue
            } else if c == ":", !(index > text.startIndex && text[text.index(before: index)] == ":"),
                      let first = rest.dropFirst().first, first.isLetter || first == "_" {
                let nameEnd = rest.dropFirst().firstIndex { !isNameCharacter($0) } ?? text.endIndex
                let name = String(text[text.index(after: index)..<nameEnd])
                switch dialect {
                case .postgres:
                    if !names.contains(name) { names.append(name) }
                    out += "$\(names.firstIndex(of: name)! + 1)"
                case .sqlite:
                    names.append(name)
                    out += "?"
                }
                index = nameEnd
                continue
            }
            out.append(c)
            index = text.index(after: index)
        }
        sql = out
        self.names = names
    }

    /// The values of the placeholders, in order, from `values` by name; a missing name is an error.
    func parameters(_ values: [String: SQLValue]) throws -> [SQLValue] {
        try names.map { name in
            guard let value = values[name] else {
                throw SQLError(.configuration, "the statement uses :\(name) but the parameters have no \(name) (they have: \(values.keys.sorted().joined(separator: ", ")))")
            }
            return value
        }
    }
}
