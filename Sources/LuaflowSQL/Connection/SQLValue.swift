/// A value bound to a statement parameter (`$1`, `?`, `:name`): parameters are always bound,
/// never written into the SQL text.
public enum SQLValue: Sendable, Equatable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case text(String)

    /// The value as PostgreSQL reads it from text (nil for `null`).
    public var text: String? {
        switch self {
        case .null: return nil
        case .boolean(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .double(let value): return value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        case .text(let value): return value
        }
    }
}
