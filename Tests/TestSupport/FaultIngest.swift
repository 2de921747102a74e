import Foundation
import LuaflowCore
import LuaflowTesting

/// A batch endpoint (`POST path` with a JSON array) that keeps what it accepted, de-duplicated by
/// `Idempotency-Key` as a careful API does, and fails requests as a test scripts them.
public final class FaultIngest: Sendable {
    public let path: String
    private struct Store {
        var accepted: [String: [Int]] = [:]  // key → ids
        var order: [String] = []
        var replays = 0
        var requests = 0
        var fault: (Fault, FaultDuration, from: Int)?
    }
    private let store = Locked(Store())

    init(path: String) {
        self.path = path
    }

    /// Requests from the `after`-th one on (1-based, counting every request) fail with `fault` for `duration`.
    public func inject(_ fault: Fault, fromRequest after: Int, _ duration: FaultDuration) {
        store.withLock { $0.fault = (fault, duration, after) }
    }

    public func heal() {
        store.withLock { $0.fault = nil }
    }

    /// The ids accepted, batch after batch, each batch once.
    public var acceptedIDs: [Int] {
        store.withLock { s in s.order.flatMap { s.accepted[$0]! } }
    }

    /// Batches sent again with a key already accepted (and not stored twice).
    public var replays: Int { store.withLock { $0.replays } }

    func respond(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let (fault, number): (Fault?, Int) = store.withLock { s in
            s.requests += 1
            guard let (fault, duration, from) = s.fault, s.requests >= from else { return (nil, s.requests) }
            if case .times(let n) = duration { s.fault = n > 1 ? (fault, .times(n - 1), from) : nil }
            return (fault, s.requests)
        }
        switch fault {
        case .status(let code, let retryAfter)?:
            return .json(["error": "fault \(code)"], status: code, headers: retryAfter.map { [("Retry-After", $0)] } ?? [])
        case .resetBeforeResponse?: return .dropConnection
        default: break
        }
        guard let key = request.header("Idempotency-Key"),
              let batch = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [[String: Any]] else {
            return .json(["error": "a JSON array and an Idempotency-Key are required"], status: 400)
        }
        let ids = batch.compactMap { $0["id"] as? Int }
        let replay = store.withLock { s -> Bool in
            if s.accepted[key] != nil {
                s.replays += 1
                return true
            }
            s.accepted[key] = ids
            s.order.append(key)
            return false
        }
        let ok = TestHTTPResponse.json(["accepted": ids.count, "replay": replay, "request": number], status: 201)
        switch fault {
        case .resetAfterProcessing?: return .dropConnection
        case .resetMidBody?: return ok.truncated(after: 5)
        case .slowBody(let seconds)?: return ok.slowBody(seconds)
        default: return ok
        }
    }
}

extension TestHTTPServer {
    /// Serves a ``FaultIngest`` at `path`.
    public func installFaultIngest(path: String) -> FaultIngest {
        let ingest = FaultIngest(path: path)
        route(path) { ingest.respond($0) }
        return ingest
    }
}
