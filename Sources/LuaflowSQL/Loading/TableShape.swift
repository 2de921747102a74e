import Foundation

/// The columns of the table a sink loads, grown from the records: a new field adds a column of
/// its value's type (`columns` may declare it), a value that does not fit its column follows the
/// schema contract. Owned by the sink's thread.
struct TableShape {
    /// A value that does not fit its column under `schema_contract = "freeze"`.
    struct Conflict: Error {
        var field: String
        var column: ColumnType
        var value: ColumnType
        /// Index of the record in the batch plan.
        var record: Int
    }

    /// The columns, in table order (without the sink's own bookkeeping columns).
    private(set) var columns: [TableColumn]
    /// Column of each name, by the name's UTF-8 bytes: Swift's `String` equality would take "é"
    /// and "e\u{301}" for one name, the databases take them for two.
    private var index: [Key: Int] = [:]
    /// Columns added since `markCreated()`: the destination has yet to create them.
    private(set) var pending: Range<Int>
    private let declared: [Key: ColumnType]
    private let contract: SchemaContract
    private let inferTimestamps: Bool
    /// The database the names go to (what a name may be: ``SQLIdentifier/problem(_:dialect:)``).
    private let dialect: SQLDialect

    /// `existing`: the table's columns when it exists (nil: it will be created, with the declared columns first).
    init(existing: [TableColumn]?, declared: [TableColumn], contract: SchemaContract, inferTimestamps: Bool, dialect: SQLDialect) {
        columns = existing ?? declared
        pending = existing == nil ? 0..<columns.count : columns.count..<columns.count
        self.declared = Dictionary(declared.map { (Key($0.name), $0.type) }, uniquingKeysWith: { $1 })
        self.contract = contract
        self.inferTimestamps = inferTimestamps
        self.dialect = dialect
        for (i, c) in columns.enumerated() { index[Key(c.name)] = i }
        if existing != nil {
            for c in declared where index[Key(c.name)] == nil { add(c) }
        }
    }

    /// The destination created the pending columns.
    mutating func markCreated() { pending = columns.count..<columns.count }

    /// The destination lost the columns from `index` on (a load that added them was rolled back).
    mutating func markPending(from index: Int) { pending = min(index, columns.count)..<columns.count }

    func column(named name: String) -> Int? { index[Key(name)] }

    /// Splits every record of `batch` (JSON objects, one a line) into `plan` and assigns each
    /// field its column, adding columns for new fields (pending until `markCreated()`).
    mutating func plan(_ bytes: UnsafeRawBufferPointer, lines: [Range<Int>], into plan: inout BatchPlan) throws {
        plan.removeAll()
        for (r, line) in lines.enumerated() {
            let first = plan.fields.count
            var scanner = RecordScanner(bytes, record: line)
            var rejection: String?
            do { try scanner.scan(into: &plan.fields) } catch {
                plan.fields.removeSubrange(first...)
                rejection = "a record must be a JSON object"
            }
            plan.records.append(BatchPlan.Record(text: line, fields: first..<plan.fields.count, rejection: rejection))
            for f in first..<plan.fields.count {
                plan.columns.append(-1)
                guard rejection == nil else { continue }
                switch try place(plan.fields[f], bytes, record: r) {
                case .column(let c): plan.columns[f] = c
                case .skip: break
                case .reject(let why): rejection = why
                }
            }
            if let rejection {
                plan.records[r].rejection = rejection
                for f in plan.records[r].fields { plan.columns[f] = -1 }
            }
        }
    }

    /// A name compared and hashed by its UTF-8 bytes (without allocating for native strings).
    private struct Key: Hashable {
        let name: String
        init(_ name: String) { self.name = name }

        // Once per field of every record: compared and hashed as contiguous bytes (memcmp), not
        // byte by byte through String.UTF8View's iterator.
        static func == (a: Key, b: Key) -> Bool {
            var (x, y) = (a.name, b.name)
            return x.withUTF8 { x in y.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
        }

        func hash(into hasher: inout Hasher) {
            var name = self.name
            name.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    private enum Placement {
        case column(Int)
        case skip
        case reject(String)
    }

    private mutating func place(_ field: ParsedField, _ bytes: UnsafeRawBufferPointer, record: Int) throws -> Placement {
        let name = key(field, bytes)
        let nameKey = Key(name)
        guard let c = index[nameKey] else {
            guard let type = valueType(field.value, bytes, column: declared[nameKey]) else { return .skip }
            if let why = SQLIdentifier.problem(name, dialect: dialect) { return .reject(unusable(name, why)) }
            return .column(add(TableColumn(name: name, type: declared[nameKey] ?? type)))
        }
        guard let type = valueType(field.value, bytes, column: columns[c].type) else { return .column(c) }
        if columns[c].type.accepts(type) { return .column(c) }
        if pending.contains(c), columns[c].type == .bigint, type == .double, declared[nameKey] == nil {
            columns[c].type = .double // a new field's integers and fractions in one batch: double
            return .column(c)
        }
        switch contract {
        case .evolve:
            let variant = "\(name)__v_\(type.variantSuffix)"
            if let c = index[Key(variant)] { return .column(c) }
            if let why = SQLIdentifier.problem(variant, dialect: dialect) { return .reject(unusable(variant, why)) }
            return .column(add(TableColumn(name: variant, type: type)))
        case .freeze:
            throw Conflict(field: name, column: columns[c].type, value: type, record: record)
        case .discardRow:
            return .reject("field \(name) is \(type.rawValue), its column is \(columns[c].type.rawValue)")
        }
    }

    @discardableResult
    private mutating func add(_ column: TableColumn) -> Int {
        columns.append(column)
        index[Key(column.name)] = columns.count - 1
        pending = pending.lowerBound..<columns.count
        return columns.count - 1
    }

    /// The names of the fields the records of `plan` hold.
    func fieldNames(_ plan: BatchPlan, _ bytes: UnsafeRawBufferPointer) -> Set<String> {
        Set(plan.fields.map { key($0, bytes) })
    }

    /// Why a record cannot be loaded: a field's column could not have this name.
    private func unusable(_ name: String, _ why: String) -> String {
        "field name \(SQLIdentifier.display(name)) cannot be a column name: \(why)"
    }

    private func key(_ field: ParsedField, _ bytes: UnsafeRawBufferPointer) -> String {
        JSONStringText.string(bytes, field.key, escaped: field.keyEscaped)
    }

    /// The type of a value (nil for null); a string is a timestamp when its column is one (or a
    /// new column and `infer_timestamps`) and it reads as ISO-8601.
    private func valueType(_ value: FieldValue, _ bytes: UnsafeRawBufferPointer, column: ColumnType?) -> ColumnType? {
        switch value {
        case .null: return nil
        case .bool: return .boolean
        case .int: return .bigint
        case .double: return .double
        case .json: return .jsonb
        case .string(let range, _):
            let wantsTimestamp = column == .timestamptz || (column == nil && inferTimestamps)
            return wantsTimestamp && ISO8601Text.matches(bytes, range) ? .timestamptz : .text
        }
    }
}
