import Testing
@testable import LuaflowSQL

/// The loading core both database sinks share: records split into fields, columns inferred and
/// grown, type conflicts under each schema contract.
@Suite struct TableShapeTests {
    /// Plans `records` (one JSON object each) against a shape; returns the plan and the text.
    static func plan(_ records: [String], shape: inout TableShape) throws -> (BatchPlan, [UInt8]) {
        var text: [UInt8] = []
        var lines: [Range<Int>] = []
        for r in records {
            let start = text.count
            text += Array(r.utf8)
            lines.append(start..<text.count)
            text.append(0x0A)
        }
        var plan = BatchPlan()
        try text.withUnsafeBytes { try shape.plan($0, lines: lines, into: &plan) }
        return (plan, text)
    }

    static func shape(existing: [TableColumn]? = nil, declared: [TableColumn] = [], contract: SchemaContract = .evolve,
                      timestamps: Bool = false, dialect: SQLDialect = .postgres) -> TableShape {
        TableShape(existing: existing, declared: declared, contract: contract, inferTimestamps: timestamps, dialect: dialect)
    }

    @Test func columnsAndTypesComeFromTheRecords() throws {
        var shape = Self.shape()
        let (plan, _) = try Self.plan([#"{"id": 1, "score": 2.5, "ok": true, "name": "Ada", "tags": [], "meta": {}, "gone": null}"#], shape: &shape)
        #expect(shape.columns == [TableColumn(name: "id", type: .bigint), TableColumn(name: "score", type: .double),
                                  TableColumn(name: "ok", type: .boolean), TableColumn(name: "name", type: .text),
                                  TableColumn(name: "tags", type: .jsonb), TableColumn(name: "meta", type: .jsonb)])
        #expect(plan.columns == [0, 1, 2, 3, 4, 5, -1], "a field that is only null has no column yet")
        #expect(shape.pending == 0..<6)
    }

    @Test func valuesKeepTheirMeaning() throws {
        var shape = Self.shape()
        let (plan, text) = try Self.plan([#"{"a": [], "b": {}, "c": null, "d": 10, "e": 10.0, "f": -9223372036854775808, "g": 1e400, "h": "x\"y\u00e9"}"#],
                                         shape: &shape)
        try text.withUnsafeBytes { bytes in
            func json(_ f: Int) -> String? {
                if case .json(let r) = plan.fields[f].value { return String(decoding: bytes[r], as: UTF8.self) }
                return nil
            }
            #expect(json(0) == "[]" && json(1) == "{}")
            guard case .null = plan.fields[2].value else { throw Failure("c is null") }
            guard case .int(10) = plan.fields[3].value else { throw Failure("d is the integer 10") }
            guard case .double = plan.fields[4].value else { throw Failure("e is a double") }
            guard case .int(Int64.min) = plan.fields[5].value else { throw Failure("f is Int64.min") }
            guard case .double = plan.fields[6].value else { throw Failure("g is too large for an integer") }
            guard case .string(let r, true) = plan.fields[7].value else { throw Failure("h is an escaped string") }
            #expect(JSONStringText.string(bytes, r, escaped: true) == "x\"yé")
        }
    }

    @Test func integersAndFractionsOfANewFieldMakeADoubleColumn() throws {
        var shape = Self.shape()
        _ = try Self.plan([#"{"price": 10}"#, #"{"price": 10.5}"#], shape: &shape)
        #expect(shape.columns == [TableColumn(name: "price", type: .double)])
    }

    @Test func aNewFieldAddsAColumnAfterTheExistingOnes() throws {
        var shape = Self.shape(existing: [TableColumn(name: "id", type: .bigint)])
        let (plan, _) = try Self.plan([#"{"id": 1}"#, #"{"id": 2, "email": "a@b"}"#], shape: &shape)
        #expect(shape.columns.last == TableColumn(name: "email", type: .text))
        #expect(shape.pending == 1..<2)
        #expect(plan.columns == [0, 0, 1])
    }

    @Test func evolveStoresAConflictingValueInAVariantColumn() throws {
        var shape = Self.shape(existing: [TableColumn(name: "age", type: .bigint)])
        let (plan, _) = try Self.plan([#"{"age": 30}"#, #"{"age": "thirty"}"#, #"{"age": "forty"}"#], shape: &shape)
        #expect(shape.columns == [TableColumn(name: "age", type: .bigint), TableColumn(name: "age__v_text", type: .text)])
        #expect(plan.columns == [0, 1, 1])
    }

    @Test func freezeNamesTheFieldTheRecordAndBothTypes() throws {
        var shape = Self.shape(existing: [TableColumn(name: "age", type: .bigint)], contract: .freeze)
        #expect {
            try Self.plan([#"{"age": 30}"#, #"{"age": true}"#], shape: &shape)
        } throws: { error in
            guard let conflict = error as? TableShape.Conflict else { return false }
            return conflict.field == "age" && conflict.record == 1 && conflict.column == .bigint && conflict.value == .boolean
        }
    }

    @Test func discardRowRejectsTheWholeRecord() throws {
        var shape = Self.shape(existing: [TableColumn(name: "age", type: .bigint)], contract: .discardRow)
        let (plan, _) = try Self.plan([#"{"name": "a", "age": "x"}"#, #"{"age": 3}"#, #"[1]"#], shape: &shape)
        #expect(plan.records.map(\.rejection) == ["field age is text, its column is bigint", nil, "a record must be a JSON object"])
        #expect(plan.columns == [-1, -1, 0])
    }

    @Test func timestampsWhenDeclaredOrInferred() throws {
        var declared = Self.shape(declared: [TableColumn(name: "at", type: .timestamptz)])
        let (plan, _) = try Self.plan([#"{"at": "2026-11-30T12:05:00Z"}"#, #"{"at": "soon"}"#], shape: &declared)
        #expect(declared.columns == [TableColumn(name: "at", type: .timestamptz), TableColumn(name: "at__v_text", type: .text)])
        #expect(plan.columns == [0, 1])

        var inferred = Self.shape(timestamps: true)
        _ = try Self.plan([#"{"at": "2026-11-30 12:05:00.25+01:00", "day": "2026-11-30", "name": "2026"}"#], shape: &inferred)
        #expect(inferred.columns.map(\.type) == [.timestamptz, .timestamptz, .text])

        var plain = Self.shape()
        _ = try Self.plan([#"{"at": "2026-11-30T12:05:00Z"}"#], shape: &plain)
        #expect(plain.columns.map(\.type) == [.text], "ISO-8601 strings stay text unless the node says so")
    }

    struct Failure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }
}
