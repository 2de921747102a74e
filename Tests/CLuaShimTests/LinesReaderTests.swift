// Tests of the incremental line reader for JSON Lines and text files (luaflow_lines_read).
import CLuaShim
import Testing

@Suite struct LinesReaderTests {
    @Test func jsonLinesPassAsTheyAreWithoutBlankLines() {
        let text = "{\"a\":1}\n\n  \t\r\n{\"a\":2}\r\n{\"a\":3}"
        let whole = readLines(Array(text.utf8))
        #expect(whole.error == nil)
        #expect(whole.records == ["{\"a\":1}", "{\"a\":2}\r", "{\"a\":3}"]) // the last line gets its line feed
        #expect(whole.lines == [1, 4, 5])
        for chunk in [1, 2, 5] { #expect(readLines(Array(text.utf8), chunk: chunk) == whole, "chunk \(chunk)") }
    }

    @Test func aBOMAtTheStartIsSkippedOnlyThere() {
        let bytes: [UInt8] = [0xef, 0xbb, 0xbf] + Array("{\"a\":1}\n".utf8) + [0xef, 0xbb, 0xbf] + Array("{\"a\":2}\n".utf8)
        for chunk in [1, 2, 1 << 20] {
            let r = readLines(bytes, chunk: chunk)
            #expect(r.records == ["{\"a\":1}", "\u{FEFF}{\"a\":2}"], "chunk \(chunk)")
            #expect(r.lines == [1, 2])
        }
        // a file of only part of a BOM is a line of invalid UTF-8
        #expect(readLines([0xef, 0xbb]).bad.map(\.line) == [1])
    }

    @Test func badLinesAreLeftOutAndReportedWithTheirLine() {
        let bytes = Array("{\"a\":1}\n{\"a\":\"x".utf8) + [0xc3, 0x28] + Array("\"}\n\n{\"a\":\"".utf8) + [0x00]
            + Array("\"}\n{\"a\":4}".utf8)
        for chunk in [1, 4, 1 << 20] {
            let r = readLines(bytes, chunk: chunk)
            #expect(r.error == nil)
            #expect(r.records == ["{\"a\":1}", "{\"a\":4}"], "chunk \(chunk)")
            #expect(r.lines == [1, 5])
            #expect(r.bad.map(\.line) == [2, 4])
            #expect(r.bad.map(\.message) == ["invalid UTF-8 at byte 8: truncated sequence after lead byte 0xC3", "NUL byte at byte 7"])
            #expect(r.bad.first?.bytes == Array("{\"a\":\"x".utf8) + [0xc3, 0x28] + Array("\"}".utf8))
        }
    }

    @Test func textLinesBecomeObjects() {
        let bytes: [UInt8] = [0xef, 0xbb, 0xbf] + Array("say \"hi\"\r\n\ttab\n\n\u{1}ctl\nlast".utf8)
        let r = readLines(bytes, text: true)
        #expect(r.records == [#"{"line":"say \"hi\""}"#, #"{"line":"\ttab"}"#, #"{"line":"\u0001ctl"}"#, #"{"line":"last"}"#])
        #expect(r.lines == [1, 2, 4, 5])
        let bad = readLines(Array("ok\n".utf8) + [0x80] + Array("\nfine\n".utf8), text: true)
        #expect(bad.records == [#"{"line":"ok"}"#, #"{"line":"fine"}"#])
        #expect(bad.bad == [BadRecord(line: 2, bytes: [0x80], message: "invalid UTF-8 at byte 1: stray continuation byte 0x80")])
    }
}
