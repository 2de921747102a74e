import LuaflowHTTP
import Testing

@Suite struct TokenBucketTests {
    @Test func burstGoesAtOnceThenOneTokenPerInterval() {
        var bucket = TokenBucket(rate: 10, capacity: 3, now: 0)
        let waits = (0..<6).map { _ in bucket.reserve(now: 0) }
        #expect(waits[0...2].allSatisfy { $0 == 0 })
        #expect(abs(waits[3] - 0.1) < 1e-9)
        #expect(abs(waits[4] - 0.2) < 1e-9)
        #expect(abs(waits[5] - 0.3) < 1e-9)
    }

    @Test func refillsWithTimeButNotBeyondCapacity() {
        var bucket = TokenBucket(rate: 2, capacity: 2, now: 0)
        _ = bucket.reserve(now: 0)
        _ = bucket.reserve(now: 0)
        #expect(bucket.reserve(now: 100) == 0)  // a long pause refills to capacity only
        #expect(bucket.reserve(now: 100) == 0)
        #expect(abs(bucket.reserve(now: 100) - 0.5) < 1e-9)
    }

    @Test func requestsPerWindowNeverExceedBurstPlusRate() {
        // 5 per second, burst 5: in any 1-second window at most 5 + 5 requests may start.
        var bucket = TokenBucket(rate: 5, capacity: 5, now: 0)
        var starts: [Double] = []
        var now = 0.0
        for _ in 0..<40 {
            let wait = bucket.reserve(now: now)
            starts.append(now + wait)
            now += 0.01  // callers arrive faster than the limit
        }
        for start in starts {
            let inWindow = starts.filter { $0 >= start && $0 < start + 1 - 1e-9 }.count
            #expect(inWindow <= 10)
        }
        #expect(starts.last! >= 6.9)  // 40 requests at 5/s after a burst of 5: (40 - 5) / 5 = 7 s
    }

    @Test func changingTheRateKeepsEarnedTokens() {
        var bucket = TokenBucket(rate: 10, capacity: 1, now: 0)
        _ = bucket.reserve(now: 0)
        bucket.setRate(5, now: 0.1)  // one token earned at the old rate
        #expect(bucket.reserve(now: 0.1) == 0)
        #expect(abs(bucket.reserve(now: 0.1) - 0.2) < 1e-9)
    }
}

@Suite struct SlidingWindowTests {
    @Test func neverMoreThanLimitInAnyWindow() {
        var window = SlidingWindow(limit: 3, window: 1)
        var slots: [Double] = []
        var now = 0.0
        for _ in 0..<20 {
            slots.append(now + window.reserve(now: now))
            now += 0.05
        }
        for slot in slots {
            #expect(slots.filter { $0 > slot - 1 + 1e-9 && $0 <= slot }.count <= 3)
        }
        #expect(slots[0...2] == [0, 0.05, 0.1])
        #expect(slots[3] == 1)  // the 4th waits until the 1st leaves the window
    }

    @Test func quietPeriodsFreeTheWindow() {
        var window = SlidingWindow(limit: 2, window: 1)
        #expect(window.reserve(now: 0) == 0)
        #expect(window.reserve(now: 0) == 0)
        #expect(window.reserve(now: 0.5) == 0.5)
        #expect(window.reserve(now: 10) == 0)
        #expect(window.slots.count == 2)  // memory stays bounded by the limit
    }

    @Test func loweringTheLimit() {
        var window = SlidingWindow(limit: 4, window: 1)
        for _ in 0..<4 { _ = window.reserve(now: 0) }
        window.setLimit(2)
        #expect(window.reserve(now: 0.5) == 0.5)
    }
}

@Suite struct HostRateLimiterTests {
    let config = RateLimitConfig(requests: 8, per: 1, burst: 1)

    @Test func aTooManyRequestsResponseHalvesTheRateForAWhile() {
        var limiter = HostRateLimiter(config: config, now: 0)
        #expect(limiter.currentRate == 8)
        limiter.recordTooManyRequests(retryAfter: nil, now: 10)
        #expect(limiter.currentRate == 4)
        limiter.recordTooManyRequests(retryAfter: nil, now: 10.5)  // same burst of 429s: counted once
        #expect(limiter.currentRate == 4)
        limiter.recordTooManyRequests(retryAfter: nil, now: 12)
        #expect(limiter.currentRate == 2)
        _ = limiter.reserve(now: 12 + HostRateLimiter.slowdownPeriod + 1)
        #expect(limiter.currentRate == 8)
    }

    @Test func slowdownIsBounded() {
        var limiter = HostRateLimiter(config: config, now: 0)
        for second in 0..<20 { limiter.recordTooManyRequests(retryAfter: nil, now: Double(second)) }
        #expect(limiter.currentRate == 8.0 / 16)
    }

    @Test func slowerRateMeansLongerWaits() {
        var limiter = HostRateLimiter(config: config, now: 0)
        _ = limiter.reserve(now: 0)
        #expect(abs(limiter.reserve(now: 0) - 0.125) < 1e-9)
        limiter.recordTooManyRequests(retryAfter: nil, now: 0)
        // Requests already waiting are re-priced at the halved rate: two tokens owed at 4/s.
        #expect(abs(limiter.reserve(now: 0) - 0.5) < 1e-9)
    }

    @Test func retryAfterPausesEveryRequestToTheHost() {
        var limiter = HostRateLimiter(config: nil, now: 0)
        #expect(limiter.reserve(now: 0) == 0)
        limiter.recordTooManyRequests(retryAfter: 5, now: 1)
        #expect(limiter.reserve(now: 2) == 4)
        #expect(limiter.reserve(now: 7) == 0)
        #expect(limiter.currentRate == nil)  // no configured limit: nothing to halve
    }

    @Test func theStricterConfigWins() {
        var limiter = HostRateLimiter(config: RateLimitConfig(requests: 10, per: 1), now: 0)
        limiter.tighten(to: RateLimitConfig(requests: 100, per: 1), now: 0)
        #expect(limiter.currentRate == 10)
        limiter.tighten(to: RateLimitConfig(requests: 1, per: 2), now: 0)
        #expect(limiter.currentRate == 0.5)
    }

    @Test func slidingWindowStrategy() {
        var limiter = HostRateLimiter(config: RateLimitConfig(requests: 2, per: 1, strategy: .slidingWindow), now: 0)
        #expect(limiter.reserve(now: 0) == 0)
        #expect(limiter.reserve(now: 0) == 0)
        #expect(limiter.reserve(now: 0) == 1.05)  // a second and the margin after the first
    }

    /// The benchmark's case: 300 requests queued at once against 150 a second, the first 8 on
    /// connections still being opened, so they reach the server 10 ms after their send times.
    /// Without the margin the 151st goes exactly a second after the first send time, and the
    /// server counts 158 requests in the second after the first arrival.
    @Test func slidingWindowHoldsAtTheServerWhenTheFirstRequestsArriveLate() {
        var limiter = HostRateLimiter(config: RateLimitConfig(requests: 150, per: 1, strategy: .slidingWindow), now: 0)
        let arrivals = (0..<300).map { index in limiter.reserve(now: 0) + (index < 8 ? 0.01 : 0) }
        let busiest = arrivals.map { start in arrivals.filter { $0 >= start && $0 < start + 1 }.count }.max()
        #expect(busiest == 150)
    }
}
