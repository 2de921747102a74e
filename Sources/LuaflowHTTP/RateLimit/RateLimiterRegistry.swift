import LuaflowCore

/// The rate limiters of a run, one per host (`host:port`), shared by every session and stage:
/// two connectors reading the same API share its quota. Thread-safe; waiting is up to the caller.
final class RateLimiterRegistry: Sendable {
    private let limiters = Locked<[String: HostRateLimiter]>([:])

    /// Registers a session's limit for `host` (the stricter one wins when sessions disagree).
    func configure(host: String, _ config: RateLimitConfig, now: Double) {
        limiters.withLock { all in
            if var limiter = all[host] {
                limiter.tighten(to: config, now: now)
                all[host] = limiter
            } else {
                all[host] = HostRateLimiter(config: config, now: now)
            }
        }
    }

    /// Books a request to `host`; returns the seconds to wait before sending it.
    func reserve(host: String, now: Double) -> Double {
        limiters.withLock { all in
            guard var limiter = all[host] else { return 0 }
            let wait = limiter.reserve(now: now)
            all[host] = limiter
            return wait
        }
    }

    /// `host` answered 429.
    func recordTooManyRequests(host: String, retryAfter: Double?, now: Double) {
        limiters.withLock { all in
            var limiter = all[host] ?? HostRateLimiter(config: nil, now: now)
            limiter.recordTooManyRequests(retryAfter: retryAfter, now: now)
            all[host] = limiter
        }
    }

    /// The current state of `host`'s limiter, for tests and diagnostics.
    func limiter(for host: String) -> HostRateLimiter? {
        limiters.withLock { $0[host] }
    }
}
