import Foundation

/// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
/// before the n-th retry wait a random time in `0 ... min(max_delay, base_delay * 2^(n-1))`.
/// Spreading retries over the whole interval keeps clients that failed together from retrying together.
public struct Backoff: Sendable, Equatable {
    public var baseDelay: Double
    public var maxDelay: Double

    public init(baseDelay: Double, maxDelay: Double) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The longest wait before retry number `retry` (1 = the first retry).
    public func ceiling(forRetry retry: Int) -> Double {
        let exponent = Double(min(max(retry, 1) - 1, 62))
        return min(maxDelay, baseDelay * pow(2, exponent))
    }

    /// A random wait before retry number `retry`, uniformly drawn from `0 ... ceiling(forRetry:)`.
    public func delay(forRetry retry: Int, using generator: inout some RandomNumberGenerator) -> Double {
        let ceiling = ceiling(forRetry: retry)
        guard ceiling > 0 else { return 0 }
        return Double.random(in: 0...ceiling, using: &generator)
    }
}
