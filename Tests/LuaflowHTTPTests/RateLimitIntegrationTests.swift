import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// Real-time tests: the limit is measured where it matters, at the server. Each takes about 1.2 s.
///
/// A request that the machine schedules late lets its successors catch up (at the server this is
/// indistinguishable from network jitter), so single gaps are only required to be at least half a
/// window, while the median gap must be close to a full window: a loaded 2-core machine passes, a
/// limiter off by a factor of two fails.
@Suite struct RateLimitIntegrationTests {
    /// `arrivals[i + step] - arrivals[i]` for every i.
    func gaps(_ arrivals: [Double], step: Int) -> [Double] {
        (0..<(arrivals.count - step)).map { arrivals[$0 + step] - arrivals[$0] }
    }

    func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }

    @Test func slidingWindowHoldsAtTheServer() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            let config = #"{"base_url": "\#(server.baseURL)", "rate_limit": {"requests": 4, "per": 0.6, "strategy": "sliding_window"}}"#
            let session = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            for _ in 0..<12 { _ = try await session.execute(HTTPRequest(url: "/echo")) }
            let arrivals = server.requests(path: "/echo").map(\.arrivedAt)
            #expect(arrivals.count == 12)
            // The 5th request after any request may only start a window later.
            let windowGaps = gaps(arrivals, step: 4)
            #expect(windowGaps.min()! >= 0.3, "\(windowGaps)")
            #expect(median(windowGaps) >= 0.5, "\(windowGaps)")
            #expect(arrivals.last! - arrivals.first! >= 0.95)  // 12 requests at 4 per 0.6 s: 1.2 s
            #expect(session.metrics.snapshot.rateLimitWaits >= 8)
        }
    }

    @Test func tokenBucketIsSharedByEverySessionOfTheHost() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            let config = #"{"base_url": "\#(server.baseURL)", "rate_limit": {"requests": 10, "per": 1, "burst": 2}}"#
            let a = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            let b = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)  // no limit of its own
            try await withThrowingTaskGroup(of: Void.self) { group in
                for session in [a, b] {
                    group.addTask { for _ in 0..<6 { _ = try await session.execute(HTTPRequest(url: "/echo")) } }
                }
                try await group.waitForAll()
            }
            let arrivals = server.requests(path: "/echo").map(\.arrivedAt).sorted()
            #expect(arrivals.count == 12)
            // After the burst of 2, one request per 0.1 s: 6 requests apart means 0.6 s (0.5 across the burst).
            let sixGaps = gaps(arrivals, step: 6)
            #expect(sixGaps.min()! >= 0.25, "\(sixGaps)")
            #expect(median(sixGaps) >= 0.45, "\(sixGaps)")
            #expect(arrivals.last! - arrivals.first! >= 0.75)  // 10 requests after the burst: 1 s
            #expect(runtime.metrics.snapshot.rateLimitWaits >= 9)
        }
    }
}
