import NIOCore
import Testing
@testable import LuaflowSQL

/// The COPY text rows sink.postgres sends: every JSON value in the form COPY reads back as the
/// same value, escapes included.
@Suite struct CopyTextRowsTests {
    @Test func everyValueInCopyTextForm() throws {
        var shape = TableShape(existing: nil, declared: [], contract: .evolve, inferTimestamps: false, dialect: .postgres)
        let record = #"{"n": null, "b": true, "i": -42, "d": 1.5e3, "s": "plain", "e": "tab\there \\ \"q\" \u00e9\nend", "j": {"a": "x\ty", "b": []}, "k": []}"#
        let (plan, text) = try TableShapeTests.plan([record, #"{"i": 7}"#], shape: &shape)
        var rows = CopyTextRows()
        var buffer = ByteBufferAllocator().buffer(capacity: 256)
        text.withUnsafeBytes { rows.render(plan, $0, columns: shape.columns, extra: "9", into: &buffer) }
        let lines = String(buffer: buffer).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(shape.columns.map(\.name) == ["b", "i", "d", "s", "e", "j", "k"])
        #expect(lines[0] == ["t", "-42", "1.5e3", "plain", #"tab\there \\ "q" é\nend"#, #"{"a": "x\\ty", "b": []}"#, "[]", "9"].joined(separator: "\t"))
        #expect(lines[1] == [#"\N"#, "7", #"\N"#, #"\N"#, #"\N"#, #"\N"#, #"\N"#, "9"].joined(separator: "\t"))
    }
}
