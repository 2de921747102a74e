import Foundation
import Testing
import TestSupport

/// `sink.file { mode = "append" }` to a CSV file: the header already there gives the columns, read
/// as `source.file` reads it (the built binary).
@Suite struct FileSinkAppendTests {
    static func workspace(existing: String) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("out.csv", existing)
        try dir.write("in.jsonl", #"{"c":"4","a,b":3}"# + "\n")
        try dir.write("pipeline.lua", #"network { { source.file { path = "in.jsonl" }, sink.file { name = "out", path = "out.csv", mode = "append" } } }"#)
        return dir
    }

    @Test func aQuotedHeaderNameWithTheDelimiterIsOneColumn() throws {
        let dir = try Self.workspace(existing: "\"a,b\",c\n1,2\n")
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try dir.read("out.csv") == "\"a,b\",c\n1,2\n3,4\n")
    }

    @Test func aHeaderThatIsNoCSVFailsNamingTheFileAndWhatWasExpected() throws {
        let dir = try Self.workspace(existing: "\"a,b,c\n1,2\n")
        let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("node 'out'"), "\(result.stderr)")
        #expect(result.stderr.contains("cannot append to "), "\(result.stderr)")
        #expect(result.stderr.contains("/out.csv: its first row is not a CSV header (line 1: unterminated quoted field); expected column names separated by ','"), "\(result.stderr)")
        #expect(try dir.read("out.csv") == "\"a,b,c\n1,2\n", "the file is untouched")
    }
}
