import Foundation

/// Renews a lease from its own thread, every third of its time to live, until stopped; a
/// renewal that fails (a newer lease exists) is logged and ends it.
final class LeaseRenewal: @unchecked Sendable {
    private let condition = NSCondition()
    private var stopped = false

    init(backend: any StateBackend, lease: Lease, ttl: Double) {
        let thread = Thread { [self] in renew(backend: backend, lease: lease, ttl: ttl) }
        thread.name = "lease renewal"
        thread.start()
    }

    /// Ends the renewals; returns once none is under way.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func renew(backend: any StateBackend, lease: Lease, ttl: Double) {
        var lease = lease
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if condition.wait(until: Date(timeIntervalSinceNow: ttl / 3)) || stopped { continue }
            do {
                lease = try backend.renewLease(lease, ttl: ttl)
            } catch {
                PipelineLog.logger.warning("cannot renew the lease of pipeline '\(backend.pipeline)': \(error)")
                return
            }
        }
    }
}
