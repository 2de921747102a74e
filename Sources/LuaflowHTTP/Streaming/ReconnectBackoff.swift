/// How long a stream waits before it connects again: the server's `retry` (Server-Sent Events) or
/// `base` the first time, doubling with each failure in a row up to `maxDelay`, with jitter between
/// half and all of it. A connection that delivered something starts the count again. Pure: the
/// random draw is passed in.
struct ReconnectBackoff: Sendable, Equatable {
    /// Seconds before the first reconnect (the server's `retry` replaces it).
    var base: Double
    var maxDelay: Double
    /// Reconnects in a row without anything received in between.
    private(set) var failures = 0

    init(base: Double = 1, maxDelay: Double = 30) {
        self.base = base
        self.maxDelay = maxDelay
    }

    /// The wait before the next attempt; `unit` is a random number in 0...1.
    mutating func nextDelay(unit: Double) -> Double {
        let exponent = min(failures, 16)
        failures += 1
        let full = min(maxDelay, base * Double(1 << exponent))
        return full * (0.5 + 0.5 * unit)
    }

    /// The connection delivered data: the next failure waits `base` again.
    mutating func succeeded() {
        failures = 0
    }
}
