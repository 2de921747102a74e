// Tests of the input UTF-8 validator (luaflow_utf8_check).
import CLuaShim
import Testing

@Suite struct UTF8CheckTests {
    @Test func validTextPasses() {
        let samples: [[UInt8]] = [
            [],
            Array("plain ASCII that is longer than one 8-byte word, twice over".utf8),
            Array("Zoë Ångström — 東京 🎉 ok".utf8),
            [0xc2, 0x80, 0xdf, 0xbf],                 // smallest and largest 2-byte forms
            [0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf, 0xef, 0xbf, 0xbf], // U+0800, U+D7FF, U+FFFF
            [0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf],       // U+10000, U+10FFFF
        ]
        for bytes in samples { #expect(checkUTF8(bytes).valid, "\(bytes)") }
    }

    static let invalid: [([UInt8], Int, String)] = [
        ([0x61, 0x80], 1, "invalid UTF-8 at byte 2: stray continuation byte 0x80"),
        ([0xc0, 0xaf], 0, "invalid UTF-8 at byte 1: overlong encoding (byte 0xC0)"),
        ([0xc1, 0xbf], 0, "invalid UTF-8 at byte 1: overlong encoding (byte 0xC1)"),
        ([0xe0, 0x80, 0xaf], 0, "invalid UTF-8 at byte 1: overlong encoding (0xE0 0x80)"),
        ([0xf0, 0x80, 0x80, 0xaf], 0, "invalid UTF-8 at byte 1: overlong encoding (0xF0 0x80)"),
        ([0xed, 0xa0, 0x80], 0, "invalid UTF-8 at byte 1: UTF-16 surrogate (0xED 0xA0)"),
        ([0xed, 0xbf, 0xbf], 0, "invalid UTF-8 at byte 1: UTF-16 surrogate (0xED 0xBF)"),
        ([0xf4, 0x90, 0x80, 0x80], 0, "invalid UTF-8 at byte 1: code point above U+10FFFF (0xF4 0x90)"),
        ([0xf5, 0x80, 0x80, 0x80], 0, "invalid UTF-8 at byte 1: byte 0xF5 never appears in UTF-8"),
        ([0xff], 0, "invalid UTF-8 at byte 1: byte 0xFF never appears in UTF-8"),
        ([0x61, 0x62, 0xc3], 2, "invalid UTF-8 at byte 3: truncated sequence after lead byte 0xC3"),
        ([0xe2, 0x82, 0x41], 0, "invalid UTF-8 at byte 1: truncated sequence after lead byte 0xE2"),
        ([0xf0, 0x9f, 0x8e], 0, "invalid UTF-8 at byte 1: truncated sequence after lead byte 0xF0"),
        ([0x61, 0x00, 0x62], 1, "NUL byte at byte 2"),
    ]

    @Test(arguments: invalid)
    func invalidBytesAreFoundAndDescribed(bytes: [UInt8], offset: Int, message: String) {
        let r = checkUTF8(bytes)
        #expect(!r.valid && r.offset == offset && r.message == message)
    }

    /// The word-at-a-time ASCII path must not skip a bad byte in any position of a word.
    @Test func badBytesAreFoundAtEveryPositionOfALongText() {
        let text = Array(String(repeating: "abcdefgh", count: 4).utf8) + Array("é".utf8)
        for i in 0..<text.count - 2 {
            for bad: UInt8 in [0x00, 0x80, 0xff] {
                var bytes = text
                bytes[i] = bad
                let r = checkUTF8(bytes)
                #expect(!r.valid && r.offset == i, "byte \(bad) at \(i)")
            }
        }
        #expect(checkUTF8(text).valid)
    }
}
