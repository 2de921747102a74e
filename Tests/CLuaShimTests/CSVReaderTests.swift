// Tests of the incremental CSV reader (luaflow_csv_reader_*, luaflow_csv_read).
import CLua
import CLuaShim
import Testing

@Suite struct CSVReaderTests {
    @Test func rowsBecomeJSONObjectsKeyedByTheHeader() {
        let r = readCSV("id,name\n1,ada\n2,grace\n")
        #expect(r.error == nil)
        #expect(r.records == [#"{"id":"1","name":"ada"}"#, #"{"id":"2","name":"grace"}"#])
        #expect(r.lines == [2, 3])
    }

    @Test func lastRecordWithoutNewlineAndEmptyFields() {
        let r = readCSV("a,b,c\n,,\n1,,3\nx,y,")
        #expect(r.error == nil)
        #expect(r.records == [#"{"a":"","b":"","c":""}"#, #"{"a":"1","b":"","c":"3"}"#, #"{"a":"x","b":"y","c":""}"#])
        #expect(r.lines == [2, 3, 4])
    }

    @Test func quotedFieldsWithEscapesDelimitersAndNewlines() {
        let csv = "k,v\n\"a,b\",\"say \"\"hi\"\"\"\n\"line1\nline2\r\nline3\",\"\"\nplain,\"\"\"\"\n"
        let r = readCSV(csv)
        #expect(r.error == nil)
        #expect(r.records == [
            #"{"k":"a,b","v":"say \"hi\""}"#,
            #"{"k":"line1\nline2\r\nline3","v":""}"#,
            #"{"k":"plain","v":"\""}"#,
        ])
        #expect(r.lines == [2, 3, 6])
    }

    @Test func unquotedFieldsAreTakenLiterally() {
        let r = readCSV("a,b\nit\"s, x \"y\" \nback\\slash,tab\there\n")
        #expect(r.error == nil)
        #expect(r.records == [#"{"a":"it\"s","b":" x \"y\" "}"#, #"{"a":"back\\slash","b":"tab\there"}"#])
    }

    @Test func crlfBOMAndBlankLines() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("name,age\r\n\r\nada,36\r\n\n\r\ngrace,45\r\n\r\n".utf8)
        let r = readCSV(bytes)
        #expect(r.error == nil)
        #expect(r.records == [#"{"name":"ada","age":"36"}"#, #"{"name":"grace","age":"45"}"#])
        #expect(r.lines == [3, 6])
        // a BOM is only stripped at the start of the file
        let mid = readCSV(Array("a\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("x\n".utf8))
        #expect(mid.records == ["{\"a\":\"\u{FEFF}x\"}"])
    }

    @Test func loneCarriageReturnIsData() {
        let r = readCSV("a,b\nx\ry,z\n")
        #expect(r.records == [#"{"a":"x\ry","b":"z"}"#])
    }

    @Test func configurableDelimiter() {
        let semi = readCSV("a;b\n1,5;\"x;y\"\n", delimiter: ";")
        #expect(semi.records == [#"{"a":"1,5","b":"x;y"}"#])
        let tab = readCSV("a\tb\n1\t2\n", delimiter: "\t")
        #expect(tab.records == [#"{"a":"1","b":"2"}"#])
        #expect(luaflow_csv_reader_new(34) == nil) // '"' cannot be a delimiter
    }

    @Test func emptyAndDuplicateHeaderNames() {
        let r = readCSV(",a,a,,a_2,\"\"\n1,2,3,4,5,6\n")
        #expect(r.error == nil)
        #expect(r.records == [#"{"column_1":"1","a":"2","a_2":"3","column_4":"4","a_2_2":"5","column_6":"6"}"#])
        let q = readCSV("\"x\"\"y\",\"new\nline\",\"k\"\n1,2,3\n")
        #expect(q.records == [#"{"x\"y":"1","new\nline":"2","k":"3"}"#])
        #expect(q.lines == [3])
    }

    @Test func valuesAreEscapedAndNonASCIIKept() {
        let bytes = Array("a,b\n".utf8) + [0x01, 0x2c, 0xc3, 0xa9, 0x0a]
        let r = readCSV(bytes)
        #expect(r.error == nil && r.records.count == 1)
        // the record is {"a":"\u0001","b":"é"} byte for byte
        let expected: [UInt8] = Array("{\"a\":\"\\u0001\",\"b\":\"".utf8) + [0xc3, 0xa9] + Array("\"}".utf8)
        let raw = rawRecords(bytes)
        #expect(raw == expected + [0x0a])
    }

    @Test func rowsWithInvalidUTF8OrNULAreLeftOutAndReported() {
        let bytes = Array("id,name\n1,ada\n2,\"gr".utf8) + [0xff] + Array("\nace\"\n3,bo".utf8) + [0x00] + Array("\n4,lin\n".utf8)
        for chunk in [1, 3, 1 << 20] {
            let r = readCSV(bytes, chunk: chunk)
            #expect(r.error == nil)
            #expect(r.records == [#"{"id":"1","name":"ada"}"#, #"{"id":"4","name":"lin"}"#])
            #expect(r.lines == [2, 6])
            #expect(r.bad == [
                BadRecord(line: 3, bytes: Array("2,\"gr".utf8) + [0xff] + Array("\nace\"".utf8),
                          message: "invalid UTF-8 at byte 6: byte 0xFF never appears in UTF-8"),
                BadRecord(line: 5, bytes: Array("3,bo".utf8) + [0x00], message: "NUL byte at byte 5"),
            ], "chunk \(chunk)")
        }
    }

    @Test func invalidUTF8InTheHeaderIsAnError() {
        let r = readCSV(Array("id,na".utf8) + [0xc3] + Array("\n1,x\n".utf8))
        #expect(r.error == "line 1: header row: invalid UTF-8 at byte 6: truncated sequence after lead byte 0xC3")
    }

    /// The reader output as raw bytes (no UTF-8 repair).
    func rawRecords(_ input: [UInt8]) -> [UInt8] {
        let r = luaflow_csv_reader_new(44)!
        defer { luaflow_csv_reader_free(r) }
        let b = ReaderBuffers()
        let n = input.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { luaflow_csv_read(r, $0.baseAddress, $0.count, 1, &b.out, &b.lines, &b.bad, &b.err, b.err.count) }
        }
        #expect(n == input.count)
        return Array(UnsafeBufferPointer(start: UnsafeRawPointer(b.out.data!).assumingMemoryBound(to: UInt8.self), count: b.out.len))
    }

    @Test func fieldCountMismatchNamesTheLine() {
        let more = readCSV("a,b\n1,2\n\"x\ny\",2,3\n")
        #expect(more.error == "line 3: 3 fields, header has 2")
        #expect(more.records == [#"{"a":"1","b":"2"}"#])
        let fewer = readCSV("a,b\r\n1,2\r\n\r\n3\r\n")
        #expect(fewer.error == "line 4: 1 field, header has 2")
    }

    @Test func malformedQuotingNamesTheLine() {
        let open = readCSV("a,b\n1,2\n3,\"unterminated\nstill open\n")
        #expect(open.error == "line 3: unterminated quoted field")
        let openLater = readCSV("a,b\n\"x\ny\",\"z\n")
        #expect(openLater.error == "line 3: unterminated quoted field")
        let after = readCSV("a,b\n\"x\"y,2\n")
        #expect(after.error == "line 2: expected delimiter or end of line after closing quote")
    }

    @Test func emptyInputAndHeaderOnly() {
        #expect(readCSV("").error == "line 1: expected a header row (the file is empty)")
        #expect(readCSV("\n\r\n\n").error == "line 4: expected a header row (the file is empty)")
        let headerOnly = readCSV("a,b\n")
        #expect(headerOnly.error == nil && headerOnly.records.isEmpty)
        let oneColumn = readCSV("a\n\"\"\nx\n")
        #expect(oneColumn.records == [#"{"a":""}"#, #"{"a":"x"}"#])
    }

    @Test func incompleteRecordsAreLeftUnconsumed() {
        let r = luaflow_csv_reader_new(44)!
        defer { luaflow_csv_reader_free(r) }
        let b = ReaderBuffers()
        func read(_ s: String, _ eof: Int32) -> Int {
            let bytes = Array(s.utf8).map { CChar(bitPattern: $0) }
            return luaflow_csv_read(r, bytes, bytes.count, eof, &b.out, &b.lines, &b.bad, &b.err, b.err.count)
        }
        #expect(read("a,b\n1,2\n3,\"x", 0) == 8)   // header + one row; "3,\"x" waits
        #expect(b.lines.len == 1 && b.lines.data[0] == 2)
        #expect(read("3,\"x\"", 0) == 0)           // could still be followed by "" or more
        #expect(read("3,\"x\"\"\"\r", 0) == 0)      // CR may start a CRLF
        #expect(read("3,\"x\"\"\"\r\n4,", 0) == 9)
        #expect(read("4,", 1) == 2)                // at EOF the trailing delimiter ends an empty field
        #expect(bufString(b.out) == "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"x\\\"\"}\n{\"a\":\"4\",\"b\":\"\"}\n")
        #expect(b.lines.len == 3 && b.lines.data[2] == 4)
    }

    @Test func feedingByteByByteGivesTheSameResult() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array(
            "id,\"note\",x\r\n1,\"multi\r\nline \"\"quoted\"\", with comma\",\r\n\r\n2,\"\",\"\"\"\"\n3,last,\"a\nb\"".utf8)
        let whole = readCSV(bytes)
        #expect(whole.error == nil)
        #expect(whole.records.count == 3)
        #expect(whole.lines == [2, 5, 6])
        #expect(whole.records[0] == #"{"id":"1","note":"multi\r\nline \"quoted\", with comma","x":""}"#)
        for chunk in [1, 2, 3, 5, 7, 16] {
            #expect(readCSV(bytes, chunk: chunk) == whole, "chunk \(chunk)")
        }
        let bad = Array("a,b\n1,2\n3,\"open\n".utf8)
        #expect(readCSV(bad, chunk: 1).error == "line 3: unterminated quoted field")
    }

    @Test func everyRecordIsValidJSON() throws {
        var csv = "name,\"we\"\"ird\",ctl\n"
        for i in 0..<200 { csv += "n\(i),\"q\"\"\\\(i)\",\"\u{1}\t\(i)\"\n" }
        let r = readCSV(csv, chunk: 97)
        #expect(r.error == nil && r.records.count == 200)
        let lua = LuaState()
        for (i, rec) in r.records.enumerated() {
            #expect(validateJSON(rec).0, "\(rec)")
            try lua.decode(rec)
            lua_setglobal(lua.L, "rec")
            #expect(try lua.eval("return rec['we\"ird'] .. '|' .. rec.ctl") == "q\"\\\(i)|\u{1}\t\(i)")
        }
    }
}
