/// The one way luaflow writes a name (schema, table, column, staging table) into SQL text, for
/// PostgreSQL and SQLite alike. Names come from records (field names) and config, so they may hold
/// any character: `"`, `'`, `;`, `--`, newlines, backslashes, combining marks.
///
/// A quoted identifier is `"` + the name's bytes, each `"` byte doubled, + `"`: inside double
/// quotes both databases take every other byte as it is (backslash has no meaning there), so the
/// name cannot end the identifier early. The doubling works on UTF-8 bytes, not on `Character`s:
/// a `"` followed by a combining mark is one `Character` in Swift but still a quote to the server.
/// What no quoting can carry (a NUL byte, a PostgreSQL name longer than 63 bytes) is refused by
/// ``problem(_:dialect:)`` before a name reaches a statement.
enum SQLIdentifier {
    /// PostgreSQL keeps the first 63 bytes of a name (NAMEDATALEN - 1) and silently drops the rest,
    /// so two long names would become one column: longer names are refused.
    static let postgresMaxBytes = 63

    /// `name` as a quoted identifier: `a"b` becomes `"a""b"`.
    static func quoted(_ name: String) -> String {
        "\"" + escaped(name) + "\""
    }

    /// The inside of ``quoted(_:)`` (every `"` doubled), for an API that adds the surrounding
    /// quotes itself without escaping what is between them (postgres-nio's `copyFrom`).
    static func escaped(_ name: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count + 2)
        for byte in name.utf8 {
            bytes.append(byte)
            if byte == UInt8(ascii: "\"") { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Why `name` cannot be a name in `dialect` (nil: it can, once quoted): a NUL byte (neither
    /// database can hold one in a name; SQLite would end the statement there), or, in PostgreSQL,
    /// more than 63 bytes.
    static func problem(_ name: String, dialect: SQLDialect) -> String? {
        if name.utf8.contains(0) { return "it contains a NUL byte (\\u0000), which a database name cannot hold" }
        if name.isEmpty { return "it is empty" }
        if dialect == .postgres, name.utf8.count > postgresMaxBytes {
            return "it is \(name.utf8.count) bytes long and PostgreSQL keeps only the first \(postgresMaxBytes) bytes of a name (two such names would become one column)"
        }
        return nil
    }

    /// `name` for messages: in quotes, with control characters and quotes escaped, and long names shortened.
    static func display(_ name: String) -> String {
        let shown = name.unicodeScalars.count > 80 ? String(String.UnicodeScalarView(name.unicodeScalars.prefix(80))) + "…" : name
        return shown.debugDescription
    }
}
