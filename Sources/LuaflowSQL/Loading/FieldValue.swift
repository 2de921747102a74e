/// One top-level value of a record, pointing into the record's JSON text (no copy).
enum FieldValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number with a fraction or an exponent (or too large for 64 bits): its JSON text.
    case double(Range<Int>)
    /// A string: the bytes between its quotes, still JSON-escaped when `escaped`.
    case string(Range<Int>, escaped: Bool)
    /// An object or an array: its JSON text.
    case json(Range<Int>)
}

/// A top-level field of a record: its name's bytes (between the quotes) and its value.
struct ParsedField: Sendable {
    var key: Range<Int>
    var keyEscaped: Bool
    var value: FieldValue
}
