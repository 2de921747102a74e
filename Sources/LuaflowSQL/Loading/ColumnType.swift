/// The column types a database sink creates, from JSON values (or declared in `columns`).
enum ColumnType: String, CaseIterable, Sendable {
    case bigint
    case double = "double precision"
    case boolean
    case text
    case timestamptz
    case jsonb

    /// `<name>__v_<suffix>`: the variant column holding a field's values of this type when they
    /// do not fit the field's own column (`schema_contract = "evolve"`).
    var variantSuffix: String {
        switch self {
        case .double: return "double"
        default: return rawValue
        }
    }

    /// The declared type of a SQLite column of this type (SQLite keeps it as written, so it maps back).
    var sqliteName: String {
        switch self {
        case .bigint: return "INTEGER"
        case .double: return "REAL"
        case .boolean: return "BOOLEAN"
        case .text: return "TEXT"
        case .timestamptz: return "TIMESTAMP"
        case .jsonb: return "JSON"
        }
    }

    /// The type of an existing SQLite column (nil: one this sink does not create).
    init?(sqlite declared: String) {
        guard let type = Self.allCases.first(where: { $0.sqliteName.caseInsensitiveCompare(declared) == .orderedSame }) else { return nil }
        self = type
    }

    /// The type of an existing PostgreSQL column from `information_schema.columns.data_type`
    /// (nil: one this sink does not create, e.g. numeric).
    init?(postgres dataType: String) {
        switch dataType {
        case "bigint", "integer", "smallint": self = .bigint
        case "double precision", "real": self = .double
        case "boolean": self = .boolean
        case "text", "character varying", "character": self = .text
        case "timestamp with time zone": self = .timestamptz
        case "jsonb", "json": self = .jsonb
        default: return nil
        }
    }

    /// Whether a value of type `value` can be stored in a column of this type as it is.
    func accepts(_ value: ColumnType) -> Bool {
        value == self || (self == .double && value == .bigint) || (self == .text && value == .timestamptz)
    }
}
