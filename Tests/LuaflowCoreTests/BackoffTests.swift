import LuaflowCore
import TestSupport
import Testing

@Suite struct BackoffTests {
    let backoff = Backoff(baseDelay: 0.5, maxDelay: 30)

    @Test func ceilingDoublesFromTheBaseDelay() {
        #expect(backoff.ceiling(forRetry: 1) == 0.5)
        #expect(backoff.ceiling(forRetry: 2) == 1)
        #expect(backoff.ceiling(forRetry: 3) == 2)
        #expect(backoff.ceiling(forRetry: 6) == 16)
    }

    @Test func ceilingIsCappedByMaxDelayEvenForHugeRetryCounts() {
        #expect(backoff.ceiling(forRetry: 7) == 30)
        #expect(backoff.ceiling(forRetry: 1_000) == 30)
        #expect(backoff.ceiling(forRetry: Int.max) == 30)
    }

    @Test func fullJitterStaysWithinZeroAndTheCeiling() {
        var generator = SeededGenerator(seed: 7)
        for retry in 1...12 {
            let ceiling = backoff.ceiling(forRetry: retry)
            let delays = (0..<500).map { _ in backoff.delay(forRetry: retry, using: &generator) }
            #expect(delays.allSatisfy { $0 >= 0 && $0 <= ceiling }, "retry \(retry)")
            // Full jitter spreads over the whole interval, not just near the ceiling.
            #expect(delays.min()! < ceiling * 0.1)
            #expect(delays.max()! > ceiling * 0.9)
        }
    }

    @Test func sameSeedGivesTheSameDelays() {
        var a = SeededGenerator(seed: 99), b = SeededGenerator(seed: 99)
        let first = (1...5).map { backoff.delay(forRetry: $0, using: &a) }
        let second = (1...5).map { backoff.delay(forRetry: $0, using: &b) }
        #expect(first == second)
    }

    @Test func zeroBaseDelayNeverWaits() {
        var generator = SeededGenerator(seed: 1)
        #expect(Backoff(baseDelay: 0, maxDelay: 0).delay(forRetry: 3, using: &generator) == 0)
    }
}
