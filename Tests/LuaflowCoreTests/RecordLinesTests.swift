import Testing
@testable import LuaflowCore

@Suite struct RecordLinesTests {
    private func lines(_ text: String) -> [String] {
        Array(text.utf8).withUnsafeBytes { buffer in
            RecordLines(buffer).map { String(decoding: buffer[$0], as: UTF8.self) }
        }
    }

    private func length(ofFirst n: Int, _ text: String) -> Int? {
        Array(text.utf8).withUnsafeBytes { RecordLines.length(ofFirst: n, in: $0.baseAddress!, count: $0.count) }
    }

    @Test func splitsOnNewlinesKeepingBlankLinesAndALastLineWithoutOne() {
        #expect(lines("a\n\nbc\nd") == ["a", "", "bc", "d"])
        #expect(lines("a\nb\n") == ["a", "b"])
        #expect(lines("").isEmpty)
    }

    @Test func theLengthOfTheFirstLinesCountsOnlyLinesThatEnd() {
        #expect(length(ofFirst: 1, "a\n\nbc\nd") == 2)
        #expect(length(ofFirst: 3, "a\n\nbc\nd") == 6)
        #expect(length(ofFirst: 4, "a\n\nbc\nd") == nil)
    }
}
