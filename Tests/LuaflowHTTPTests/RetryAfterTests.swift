import Foundation
import LuaflowHTTP
import Testing

@Suite struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func parsesSeconds() {
        #expect(RetryAfter.seconds("120", now: now) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: now) == 0)
        #expect(RetryAfter.seconds("1.5", now: now) == 1.5)
    }

    @Test func parsesTheThreeHTTPDateFormats() {
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Sunday, 06-Nov-94 08:50:37 GMT", now: now) == 60)
        #expect(RetryAfter.seconds("Sun Nov  6 08:49:47 1994", now: now) == 10)
    }

    @Test func aDateInThePastMeansNoWait() {
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)
    }

    @Test(arguments: ["", "soon", "-5", "12abc", "Sun, 99 Foo 1994 08:49:37 GMT", "1e3", "inf"])
    func garbageIsIgnored(_ value: String) {
        #expect(RetryAfter.seconds(value, now: now) == nil)
    }

    @Test func httpDateRoundTrips() {
        let date = Date(timeIntervalSince1970: 1_700_000_123)
        #expect(HTTPDate.parse(HTTPDate.format(date)) == date)
        #expect(HTTPDate.format(now) == "Sun, 06 Nov 1994 08:49:37 GMT")
    }
}
