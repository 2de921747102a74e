import LuaflowCore

/// The Standard Webhooks `webhook-id`s taken while their timestamp is fresh: a captured request
/// sent again is not recorded twice (after its tolerance, the timestamp check refuses it). Holds
/// at most `capacity` ids; when it is full of fresh ones a new delivery is answered 503 rather
/// than one forgotten early, which would let its replay through. Thread-safe.
final class WebhookReplayGuard: Sendable {
    /// What ``claim(_:expires:now:)`` found.
    enum Claim: Equatable {
        case new
        /// Taken before, and still fresh.
        case repeated
        /// `capacity` fresh ids held: try again later.
        case full
    }

    let capacity: Int
    /// Each id's expiry (Unix seconds).
    private let ids = Locked<[String: Double]>([:])

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Takes `id` until `expires`, unless it is held already or there is no room.
    func claim(_ id: String, expires: Double, now: Double) -> Claim {
        ids.withLock { held in
            if let expiry = held[id], expiry >= now { return .repeated }
            if held.count >= capacity { held = held.filter { $0.value >= now } }
            guard held.count < capacity else { return .full }
            held[id] = expires
            return .new
        }
    }

    /// Lets `id` go: its delivery was not recorded (the inbox refused it), so the sender's retry
    /// must be taken.
    func release(_ id: String) {
        ids.withLock { _ = $0.removeValue(forKey: id) }
    }
}
