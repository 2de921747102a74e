import Foundation
import Testing
import TestSupport
@testable import LuaflowSQL

/// The one identifier quoting of the database sinks and sources, and what the sinks make of field
/// names that no quoting can carry.
@Suite struct SQLIdentifierTests {
    /// Field names a hostile record may carry (each one must become exactly that column).
    static let hostile = [
        #"a"b"#, #"x"); DROP TABLE canary; --"#, #"x") FROM PROGRAM 'touch /tmp/luaflow-pwned' --"#, "it's", "semi;colon",
        "dash--dash", "new\nline", #"back\slash"#, "ünïcødé ☃ 𝄞", "q\"\u{301}", "é", "e\u{301}", #"""#, #""""#, "tab\tname",
        String(repeating: "ü", count: 31) + "x",
    ]

    @Test func quotingDoublesEveryQuoteByteAndNothingElse() {
        #expect(SQLIdentifier.quoted(#"a"b"#) == #""a""b""#)
        #expect(SQLIdentifier.quoted(#"x"); DROP TABLE t; --"#) == #""x""); DROP TABLE t; --""#)
        #expect(SQLIdentifier.quoted("it's\n\\") == "\"it's\n\\\"")
        #expect(SQLIdentifier.escaped(#""""#) == #""""""#)
        // A quote followed by a combining mark is one Character in Swift, and still a quote to the server.
        let combined = "q\"\u{301}"
        #expect(Array(SQLIdentifier.quoted(combined).utf8) == Array("\"q\"\"\u{301}\"".utf8))
        for name in Self.hostile {
            let inner = Array(SQLIdentifier.quoted(name).utf8).dropFirst().dropLast()
            // Read back the way a server does: "" is one quote, a lone quote would end the name.
            var read: [UInt8] = []
            var i = inner.startIndex
            while i < inner.endIndex {
                if inner[i] == UInt8(ascii: "\"") {
                    #expect(i + 1 < inner.endIndex && inner[i + 1] == UInt8(ascii: "\""), "a lone quote in \(name.debugDescription)")
                    i += 1
                }
                read.append(inner[i])
                i += 1
            }
            #expect(read == Array(name.utf8))
        }
    }

    @Test func namesNoQuotingCanCarryAreRefused() {
        #expect(SQLIdentifier.problem("a\u{0}b", dialect: .sqlite)?.contains("NUL") == true)
        #expect(SQLIdentifier.problem("a\u{0}b", dialect: .postgres)?.contains("NUL") == true)
        #expect(SQLIdentifier.problem("", dialect: .postgres) != nil)
        let max = String(repeating: "a", count: 61) + "é" // 63 bytes
        #expect(SQLIdentifier.problem(max, dialect: .postgres) == nil)
        #expect(SQLIdentifier.problem(max + "b", dialect: .postgres)?.contains("64 bytes long and PostgreSQL keeps only the first 63") == true)
        #expect(SQLIdentifier.problem(max + "b", dialect: .sqlite) == nil, "SQLite keeps names whole")
        for name in Self.hostile { #expect(SQLIdentifier.problem(name, dialect: .postgres) == nil, "\(name.debugDescription)") }
    }

    @Test func everyHostileFieldNameIsItsOwnColumn() throws {
        var shape = TableShapeTests.shape()
        let record = JSONText.object(Self.hostile.enumerated().map { ($1, "\($0)") })
        let (plan, _) = try TableShapeTests.plan([record], shape: &shape)
        #expect(plan.records[0].rejection == nil)
        #expect(shape.columns.map { Array($0.name.utf8) } == Self.hostile.map { Array($0.utf8) }, "\"é\" and \"e\\u{301}\" are two names, as in the database")
    }

    @Test func aFieldNameWithNulIsRejectedNamingTheField() throws {
        var shape = TableShapeTests.shape(dialect: .sqlite)
        let (plan, _) = try TableShapeTests.plan([#"{"id": 1, "a\u0000b": 2}"#, #"{"id": 2}"#], shape: &shape)
        #expect(plan.records[0].rejection == #"field name "a\0b" cannot be a column name: it contains a NUL byte (\u0000), which a database name cannot hold"#)
        #expect(plan.records[1].rejection == nil)
        #expect(shape.columns.map(\.name) == ["id"])
    }

    @Test func twoLongNamesNeverBecomeOneColumnInPostgres() throws {
        let prefix = String(repeating: "p", count: 63)
        var postgres = TableShapeTests.shape()
        let (plan, _) = try TableShapeTests.plan([#"{"\#(prefix)": 1}"#, #"{"\#(prefix)a": 2}"#, #"{"\#(prefix)b": 3}"#], shape: &postgres)
        #expect(plan.records.map { $0.rejection == nil } == [true, false, false])
        #expect(plan.records[1].rejection?.contains("is 64 bytes long and PostgreSQL keeps only the first 63 bytes") == true)
        #expect(postgres.columns.map(\.name) == [prefix])

        var sqlite = TableShapeTests.shape(dialect: .sqlite)
        _ = try TableShapeTests.plan([#"{"\#(prefix)a": 2, "\#(prefix)b": 3}"#], shape: &sqlite)
        #expect(sqlite.columns.map(\.name) == [prefix + "a", prefix + "b"])
    }

    @Test func aVariantColumnNameTooLongForPostgresRejectsTheRecord() throws {
        let name = String(repeating: "v", count: 60)
        var shape = TableShapeTests.shape(existing: [TableColumn(name: name, type: .bigint)])
        let (plan, _) = try TableShapeTests.plan([#"{"\#(name)": "text"}"#], shape: &shape)
        #expect(plan.records[0].rejection?.contains("\(name)__v_text") == true)
        #expect(shape.columns.count == 1)
    }
}
