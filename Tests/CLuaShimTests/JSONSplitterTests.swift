// Tests of the incremental JSON array splitter (luaflow_json_splitter_*, luaflow_json_split).
import CLua
import CLuaShim
import Testing

@Suite struct JSONSplitterTests {
    @Test func compactArrayOfObjects() {
        let r = splitJSON(#"[{"id":1},{"id":2,"tags":["a","b"]},{}]"#)
        #expect(r.error == nil)
        #expect(r.records == [#"{"id":1}"#, #"{"id":2,"tags":["a","b"]}"#, "{}"])
        #expect(r.lines == [1, 1, 1])
    }

    @Test func prettyPrintedInputBecomesOneLinePerRecord() {
        let text = "[\n  {\n    \"id\": 1,\r\n    \"name\": \"ada\"\n  },\n\n  {\"id\": 2, \"nested\": {\"a\": [\n1, 2]}}\n]\n"
        let r = splitJSON(text)
        #expect(r.error == nil)
        #expect(r.records == ["{     \"id\": 1,      \"name\": \"ada\"   }", "{\"id\": 2, \"nested\": {\"a\": [ 1, 2]}}"])
        #expect(r.lines == [2, 7])
        let lua = LuaState()
        for rec in r.records { #expect(validateJSON(rec).0) }
        #expect(lua.errorOf { try lua.decode(r.records[1]) } == nil)
    }

    @Test func bracketsAndQuotesInsideStringsDoNotCount() {
        let r = splitJSON(#"[{"s":"]},[{"},{"s":"a\"]\\"},"x\"y]",["]"]]"#)
        #expect(r.error == nil)
        #expect(r.records == [#"{"s":"]},[{"}"#, #"{"s":"a\"]\\"}"#, #""x\"y]""#, #"["]"]"#])
    }

    @Test func arraysOfScalarsAndMixedValues() {
        let r = splitJSON("[1, -2.5e3 ,true,null, \"s\" ,[],{}]")
        #expect(r.error == nil)
        #expect(r.records == ["1", "-2.5e3", "true", "null", "\"s\"", "[]", "{}"])
    }

    @Test func emptyArrayAndTopLevelValues() {
        for text in ["[]", " [ ] \n", "[\n]"] {
            let r = splitJSON(text)
            #expect(r.error == nil && r.records.isEmpty, "\(text)")
        }
        let obj = splitJSON("\n\n {\"a\": [1,\n2]} \n")
        #expect(obj.error == nil)
        #expect(obj.records == ["{\"a\": [1, 2]}"])
        #expect(obj.lines == [3])
        #expect(splitJSON("42").records == ["42"])
        #expect(splitJSON("\"str\"").records == ["\"str\""])
        let bom = splitJSON([0xEF, 0xBB, 0xBF] + Array("[{\"a\":1}]".utf8), chunk: 1)
        #expect(bom.error == nil && bom.records == ["{\"a\":1}"])
    }

    @Test func chunkBoundariesAnywhereGiveTheSameResult() {
        let text = "[\n {\"name\": \"a \\\"quoted\\\" ]} string\", \"esc\": \"\\\\\"},\n {\"deep\": [[[{\"x\": \"[\"}]]],\n  \"n\": 12345.678},\n 987654321,\n \"tail\\\\\"\n]\n"
        let whole = splitJSON(text)
        #expect(whole.error == nil)
        #expect(whole.records.count == 4)
        #expect(whole.lines == [2, 3, 5, 6])
        for rec in whole.records { #expect(validateJSON(rec).0, "\(rec)") }
        for chunk in [1, 2, 3, 4, 7, 13] {
            #expect(splitJSON(text, chunk: chunk) == whole, "chunk \(chunk)")
        }
    }

    @Test func incompleteElementsAreLeftUnconsumed() {
        let s = luaflow_json_splitter_new()!
        defer { luaflow_json_splitter_free(s) }
        let b = ReaderBuffers()
        func split(_ t: String, _ eof: Int32) -> Int {
            let bytes = Array(t.utf8).map { CChar(bitPattern: $0) }
            return luaflow_json_split(s, bytes, bytes.count, eof, &b.out, &b.lines, &b.bad, &b.err, b.err.count)
        }
        #expect(split("[{\"a\":1}, {\"b\":\"x", 0) == 10)
        #expect(split("{\"b\":\"x\\", 0) == 0)
        #expect(split("{\"b\":\"x\\\"\"}, 12", 0) == 13) // a number may continue
        #expect(split("12", 0) == 0)
        #expect(split("12]", 1) == 3)
        #expect(bufString(b.out) == "{\"a\":1}\n{\"b\":\"x\\\"\"}\n12\n")
        #expect(b.lines.len == 3)
    }

    static let errorCases: [(String, String)] = [
        ("[{\"a\":1}] x", "line 1: expected end of input after ']'"),
        ("[1]\n\n[2]", "line 3: expected end of input after ']'"),
        ("{\"a\":1} {}", "line 1: expected end of input after the top-level value"),
        ("[{\"a\":1}\n{\"b\":2}]", "line 2: expected ',' or ']' after array element"),
        ("[1,]", "line 1: expected array element after ','"),
        ("[1,,2]", "line 1: expected array element after ','"),
        ("[,1]", "line 1: expected a JSON value"),
        ("}", "line 1: expected a JSON value"),
        ("[\n{\"a\":1},\n{\"b\":2}\n", "line 4: the file ends before the JSON is complete (truncated?): expected ',' or ']'"),
        ("[1,\n", "line 2: the file ends before the JSON is complete (truncated?): expected array element after ','"),
        ("[\n{\"a\": [1, 2}\n]", "line 2: expected ']' but found '}'"),
        ("[\n{\"a\": [1,\n2]\n", "line 2: the file ends before the JSON is complete (truncated?): expected '}'"),
        ("[{\"a\": \"line\nbreak\"}]", "line 1: expected '\"' to close string before end of line"),
        ("[\n\n{\"a\": \"open", "line 3: the file ends before the JSON is complete (truncated?): expected '\"' to close string"),
        ("", "line 1: expected a JSON value (the input is empty)"),
        (" \n \n", "line 3: expected a JSON value (the input is empty)"),
    ]

    @Test(arguments: errorCases)
    func malformedInputNamesTheLine(input: String, message: String) {
        #expect(splitJSON(input).error == message)
        #expect(splitJSON(input, chunk: 1).error == message)
    }

    @Test func elementsWithInvalidUTF8AreLeftOutAndReported() {
        let bytes = Array("[{\"a\":1},\n{\"a\":\"".utf8) + [0xed, 0xa0, 0x80] + Array("\"},\n{\"a\":3}]".utf8)
        for chunk in [1, 5, 1 << 20] {
            let r = splitJSON(bytes, chunk: chunk)
            #expect(r.error == nil)
            #expect(r.records == [#"{"a":1}"#, #"{"a":3}"#])
            #expect(r.lines == [1, 3])
            #expect(r.bad == [BadRecord(line: 2, bytes: Array("{\"a\":\"".utf8) + [0xed, 0xa0, 0x80] + Array("\"}".utf8),
                                        message: "invalid UTF-8 at byte 7: UTF-16 surrogate (0xED 0xA0)")], "chunk \(chunk)")
        }
    }

    @Test func nestingLimit() {
        let ok = "[" + String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000) + "]"
        #expect(splitJSON(ok).records.count == 1)
        let deep = "[" + String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001) + "]"
        #expect(splitJSON(deep).error == "line 1: nested too deep")
    }
}
