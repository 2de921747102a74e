import Testing
@testable import LuaflowHTTP

/// The event-stream format, fed in every chunking a network may produce.
@Suite struct SSEParserTests {
    /// Parses `text` fed in chunks of `size` bytes.
    func parse(_ text: String, chunk size: Int, lastEventID: String? = nil) throws -> (events: [SSEEvent], parser: SSEParser) {
        var parser = SSEParser(lastEventID: lastEventID)
        let bytes = Array(text.utf8)
        var events: [SSEEvent] = []
        var start = 0
        while start < bytes.count {
            events += try parser.feed(bytes[start..<min(bytes.count, start + size)])
            start += size
        }
        return (events, parser)
    }

    @Test(arguments: [1, 2, 3, 7, 1000])
    func fieldsLinesAndCommentsInAnyChunking(size: Int) throws {
        let text = "\u{FEFF}: keep-alive\r\nretry: 2500\r\nid: 1\r\ndata: {\"a\":\r\ndata:1}\r\n\r\n"
            + "event: tick\rid: 2\rdata:  two spaces\r\r"
            + "data: no id change\n\n"
            + "id\ndata\n\n"
            + "event: empty\n\n"
            + "data: unfinished\n"
        let (events, parser) = try parse(text, chunk: size)
        #expect(events == [
            SSEEvent(id: "1", data: "{\"a\":\n1}", retry: 2500),
            SSEEvent(event: "tick", id: "2", data: " two spaces"),
            SSEEvent(id: "2", data: "no id change"),
            SSEEvent(id: "", data: ""),
        ])
        #expect(parser.retry == 2500)
        #expect(parser.lastEventID == "")
    }

    @Test func idWithNullIsIgnoredAndRetryMustBeDigits() throws {
        let (events, parser) = try parse("id: 7\n\nid: a\u{0}b\nretry: 1x\ndata: x\n\n", chunk: 4, lastEventID: "3")
        #expect(events == [SSEEvent(id: "7", data: "x")])
        #expect(parser.retry == nil)
    }

    @Test func theLastEventIDCarriesOverFromTheStart() throws {
        let (events, _) = try parse("data: a\n\n", chunk: 100, lastEventID: "41")
        #expect(events == [SSEEvent(id: "41", data: "a")])
    }

    @Test func aResetDropsTheUnfinishedEventButKeepsTheID() throws {
        var parser = SSEParser()
        _ = try parser.feed(Array("id: 5\ndata: cut".utf8))
        parser.reset()
        #expect(try parser.feed(Array("data: b\n\n".utf8)) == [SSEEvent(id: "5", data: "b")])
    }

    @Test func aLineWithoutEndIsRefusedAtTheLimit() throws {
        var parser = SSEParser(maxLineBytes: 16)
        #expect(throws: SSEParser.LineTooLong.self) { try parser.feed(Array(repeating: UInt8(ascii: "a"), count: 17)) }
    }

    @Test func anEventOfShortLinesWithoutItsBlankLineIsRefusedAtTheEventLimit() throws {
        var parser = SSEParser(maxLineBytes: 64, maxEventBytes: 100)
        let line = Array("data: 0123456789\n".utf8)  // 17 bytes, far under the line limit
        var thrown: (any Error)?
        for _ in 0..<10 {
            do { _ = try parser.feed(line) } catch { thrown = error; break }
        }
        #expect(thrown is SSEParser.EventTooLarge)
        #expect(thrown.map { "\($0)" }?.contains("max_event_bytes (100 bytes)") == true)
    }

    @Test func eventsUnderTheLimitPassHoweverManyFollowEachOther() throws {
        var parser = SSEParser(maxLineBytes: 64, maxEventBytes: 40)
        var events: [SSEEvent] = []
        for n in 0..<100 { events += try parser.feed(Array(": keep-alive\nid: \(n)\ndata: 0123456789\n\n".utf8)) }
        #expect(events.count == 100)
        #expect(events.last == SSEEvent(id: "99", data: "0123456789"))
    }

    @Test func backoffUsesTheServersRetryThenDoublesAndStartsAgainAfterData() {
        var backoff = ReconnectBackoff(base: 0.5, maxDelay: 3)
        #expect(backoff.nextDelay(unit: 1) == 0.5)
        #expect(backoff.nextDelay(unit: 1) == 1)
        #expect(backoff.nextDelay(unit: 0) == 1)
        #expect(backoff.nextDelay(unit: 1) == 3)
        backoff.succeeded()
        #expect(backoff.nextDelay(unit: 1) == 0.5)
    }
}
