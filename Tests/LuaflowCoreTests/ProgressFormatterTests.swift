import Testing
@testable import LuaflowCore

@Suite struct ProgressFormatterTests {
    static func snapshot(in recordsIn: Int, out: Int, retries: Int = 0, expected: Int? = nil) -> NodeStats.Snapshot {
        var s = NodeStats.Snapshot()
        s.recordsIn = recordsIn
        s.recordsOut = out
        s.retries = retries
        s.expected = expected
        return s
    }

    @Test func fixedStatsRenderAsATable() {
        let rows = [
            ProgressRow(name: "users", role: .source, recordsIn: 0, recordsOut: 4500, rate: 1500, retries: 2, percent: 45, eta: 3.7),
            ProgressRow(name: "clean", role: .transform, recordsIn: 4400, recordsOut: 4000, rate: 1466.7, retries: 0),
            ProgressRow(name: "out.jsonl", role: .sink, recordsIn: 4000, recordsOut: 0, rate: 2.25, retries: 0),
        ]
        #expect(ProgressFormatter.lines(rows, elapsed: 3.2) == [
            "node       kind             in       out       rate  retries  progress",
            "users      source            -      4500     1500/s        2  45%  ETA 4s",
            "clean      transform      4400      4000     1467/s        0",
            "out.jsonl  sink           4000         -      2.2/s        0",
            "running 4s",
        ])
    }

    @Test func durationsAndRates() {
        #expect(ProgressFormatter.duration(0) == "0s")
        #expect(ProgressFormatter.duration(65) == "1m05s")
        #expect(ProgressFormatter.duration(7384) == "2h03m")
        #expect(ProgressFormatter.rate(25_000) == "25k/s")
        #expect(ProgressFormatter.rate(0) == "0/s")
    }

    @Test func trackerComputesRatesPercentAndETA() {
        var tracker = ProgressTracker()
        let first = tracker.update([("src", .source, Self.snapshot(in: 0, out: 100, expected: 1000)),
                                    ("out", .sink, Self.snapshot(in: 50, out: 0))], at: 1)
        #expect(first[0].rate == 100)
        #expect(first[0].percent == 10)
        #expect(first[0].eta == 9)
        #expect(first[1].rate == 50)
        #expect(first[1].percent == nil)
        let second = tracker.update([("src", .source, Self.snapshot(in: 0, out: 300, expected: 1000)),
                                     ("out", .sink, Self.snapshot(in: 250, out: 0))], at: 2)
        #expect(second[0].rate == 0.6 * 100 + 0.4 * 200)
        #expect(second[0].percent == 30)
        #expect(abs((second[0].eta ?? 0) - 700.0 / 140.0) < 1e-9)
        let done = tracker.update([("src", .source, Self.snapshot(in: 0, out: 1000, expected: 1000)),
                                   ("out", .sink, Self.snapshot(in: 1000, out: 0))], at: 3)
        #expect(done[0].percent == 100)
        #expect(done[0].eta == 0)
    }

    @Test func aFileSourcesPercentAndETAComeFromBytesRead() {
        var tracker = ProgressTracker()
        var s = Self.snapshot(in: 0, out: 100)
        s.bytesTotal = 4000
        s.bytesRead = 1000
        let rows = tracker.update([("file", .source, s)], at: 1)
        #expect(rows[0].percent == 25)
        #expect(rows[0].eta == 3, "300 records still to come at 100 records/s")
        s.bytesRead = 4000
        s.recordsOut = 400
        #expect(tracker.update([("file", .source, s)], at: 2)[0].eta == 0)
    }
}
