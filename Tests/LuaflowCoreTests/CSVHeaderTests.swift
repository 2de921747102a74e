import Testing
@testable import LuaflowCore

/// The header row of a CSV file the sink appends to, read by the C CSV reader.
@Suite struct CSVHeaderTests {
    func columns(_ text: String, delimiter: UInt8 = 0x2C) throws -> [String]? {
        try CSVHeader.columns(in: Array(text.utf8), delimiter: delimiter)
    }

    @Test func quotedNamesKeepTheirDelimitersQuotesAndLineBreaks() throws {
        #expect(try columns("\"a,b\",c\n1,2\n") == ["a,b", "c"])
        #expect(try columns("\"say \"\"hi\"\"\",\"two\nlines\"\r\nx,y\r\n") == ["say \"hi\"", "two\nlines"])
        #expect(try columns("id\tname\n", delimiter: 0x09) == ["id", "name"])
    }

    @Test func aBOMAndBlankLinesBeforeTheHeaderAreSkipped() throws {
        #expect(try columns("\u{FEFF}\n\r\nid,,name\n") == ["id", "", "name"])
    }

    @Test func contentWithoutARowHasNoHeader() throws {
        #expect(try columns("\n\n") == nil)
        #expect(try columns("") == nil)
    }

    @Test func aMalformedHeaderSaysWhatWasExpected() throws {
        #expect {
            try columns("\"a,b\nc\n")
        } throws: { "\($0)" == "its first row is not a CSV header (line 1: unterminated quoted field); expected column names separated by ','" }
        #expect {
            try columns("\"a\"b,c\n", delimiter: 0x09)
        } throws: { "\($0)".contains("expected delimiter or end of line after closing quote") && "\($0)".hasSuffix("separated by '\\t'") }
    }
}
