import Foundation

/// A worker's hold on a pipeline's state while it runs it (or resets it): the local lock
/// (``StateLock``), which excludes another run on this machine even after a SIGKILL, and the
/// backend's lease of the whole pipeline, which every write of the run carries. The lease is
/// renewed while held and released when the claim ends.
public final class PipelineClaim {
    /// How long the lease lasts unrenewed, in seconds.
    static let ttl = 60.0

    public let lease: Lease
    private let backend: any StateBackend
    private let lock: StateLock
    private let renewal: LeaseRenewal

    /// Takes the lock, then the lease, of `backend`'s pipeline; throws when a run holds either.
    public init(_ backend: any StateBackend) throws {
        lock = try StateLock(location: backend.location, pipeline: backend.pipeline)
        let owner = Self.localOwner
        guard let lease = try backend.acquireLease(scope: Lease.pipelineScope, owner: owner, ttl: Self.ttl) else {
            throw PipelineError(.runtime, node: "state", phase: "state",
                                "another worker holds the lease of pipeline '\(backend.pipeline)' in \(backend.location); "
                                    + "wait for its run to finish (a lease lapses \(Int(Self.ttl)) s after its worker stops)")
        }
        self.backend = backend
        self.lease = lease
        renewal = LeaseRenewal(backend: backend, lease: lease, ttl: Self.ttl)
    }

    deinit {
        renewal.stop()
        // Released so that another worker may start at once; if this fails the lease lapses.
        try? backend.releaseLease(lease)
    }

    /// The owner a run on this machine leases as: the machine's name. Runs on one machine
    /// exclude each other with the lock; one killed there leaves a lease the next run takes over.
    static let localOwner: String = {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}
