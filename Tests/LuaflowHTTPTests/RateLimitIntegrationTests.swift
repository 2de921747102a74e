import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// Real-time tests: the limit is measured where it matters, at the server. Each takes 1-1.5 s.
///
/// Requests are sent the way pipeline stages send them, with blocking calls from threads of their
/// own, so their timing does not depend on Swift's cooperative pool (which other tests in the
/// process may be holding). A request the machine still schedules late lets its successors catch
/// up (at the server this looks like network jitter), so a couple of short gaps are tolerated;
/// the median gap and the total duration catch a limiter that is off by a factor of two.
@Suite struct RateLimitIntegrationTests {
    /// `arrivals[i + step] - arrivals[i]` for every i.
    func gaps(_ arrivals: [Double], step: Int) -> [Double] {
        (0..<(arrivals.count - step)).map { arrivals[$0 + step] - arrivals[$0] }
    }

    func median(_ values: [Double]) -> Double {
        values.sorted()[values.count / 2]
    }

    /// Sends `count` GET `/echo` requests one after another from a new thread.
    func send(_ count: Int, with session: HTTPSession) async throws {
        try await onThread { for _ in 0..<count { _ = try session.executeBlocking(HTTPRequest(url: "/echo")) } }
    }

    @Test func slidingWindowHoldsAtTheServer() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            let config = #"{"base_url": "\#(server.baseURL)", "rate_limit": {"requests": 4, "per": 0.6, "strategy": "sliding_window"}}"#
            let session = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            try await send(12, with: session)
            let arrivals = server.requests(path: "/echo").map(\.arrivedAt)
            #expect(arrivals.count == 12)
            // The 5th request after any request may only start a window later.
            let windowGaps = gaps(arrivals, step: 4)
            #expect(windowGaps.filter { $0 < 0.5 }.count <= 2, "\(windowGaps)")
            #expect(median(windowGaps) >= 0.5, "\(windowGaps)")
            #expect(arrivals.last! - arrivals.first! >= 0.8)  // 12 requests at 4 per 0.6 s: 1.2 s
            #expect(session.metrics.snapshot.rateLimitWaits > 0)
        }
    }

    @Test func tokenBucketIsSharedByEverySessionOfTheHost() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            let config = #"{"base_url": "\#(server.baseURL)", "rate_limit": {"requests": 10, "per": 1, "burst": 2}}"#
            let a = try HTTPSession(config: sessionConfig(config), runtime: runtime)
            let b = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)  // no limit of its own
            async let first: Void = send(6, with: a)
            async let second: Void = send(6, with: b)
            _ = try await (first, second)
            let arrivals = server.requests(path: "/echo").map(\.arrivedAt).sorted()
            #expect(arrivals.count == 12)
            // After the burst of 2, one request per 0.1 s: 6 requests apart means 0.6 s (0.5 across the burst).
            let sixGaps = gaps(arrivals, step: 6)
            #expect(sixGaps.filter { $0 < 0.45 }.count <= 2, "\(sixGaps)")
            #expect(median(sixGaps) >= 0.45, "\(sixGaps)")
            #expect(arrivals.last! - arrivals.first! >= 0.7)  // 10 requests after the burst: 1 s
            #expect(runtime.metrics.snapshot.rateLimitWaits > 0)
        }
    }
}
