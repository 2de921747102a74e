import DequeModule
import Foundation

/// Requests between the HTTP server's thread and the source's: received records wait here
/// (bounded: beyond `maxPending` a request is answered 503), the source takes them in batches,
/// and with `ack = "committed"` each sender is answered once the checkpoint covering its record
/// is committed. Delivery ids are checked against the window of ids already handed on.
final class WebhookInbox: @unchecked Sendable {
    typealias Respond = @Sendable (WebhookReply) -> Void

    private struct Entry {
        var line: [UInt8]
        var id: String?
        var responders: [Respond]
    }

    /// Records handed on whose senders wait for the commit that covers the first `produced`.
    private struct Awaiting {
        var produced: Int
        var id: String?
        var responders: [Respond]
    }

    private let ack: WebhookConfig.Ack
    private let maxPending: Int
    private let retryAfter: Int
    private let condition = NSCondition()
    private var buffered = Deque<Entry>()
    private var bufferedBytes = 0
    /// Ids of buffered records, with the senders of duplicates that wait with them.
    private var bufferedIDs: [String: [Respond]] = [:]
    private var awaiting: [Awaiting] = []
    /// Ids of records handed on but not committed, with the count that covers them.
    private var awaitingIDs: [String: Int] = [:]
    private var window: DeliveryWindow
    private let dedupes: Bool
    /// Records handed to the pipeline in this run.
    private var deliveredCount = 0
    /// Set once the inbox stops taking requests: what new ones are answered.
    private var closedReply: WebhookReply?

    init(config: WebhookConfig) {
        ack = config.ack
        maxPending = config.maxPending
        retryAfter = config.retryAfter
        window = DeliveryWindow(capacity: config.dedupeWindow)
        dedupes = config.dedupeHeader != nil
    }

    /// Restores the delivery ids the last committed checkpoint stored.
    func restore(_ json: String?) {
        condition.withLock { window = DeliveryWindow(capacity: window.capacity, json: json) }
    }

    /// A request's record (one JSON line, newline included), answered through `respond` now or later.
    func accept(_ line: [UInt8], id: String?, respond: @escaping Respond) {
        let reply: WebhookReply? = condition.withLock {
            if let closedReply { return closedReply }
            if let id {
                if bufferedIDs[id] != nil {
                    if ack == .committed { bufferedIDs[id]!.append(respond); return nil }
                    return .duplicate
                }
                if let produced = awaitingIDs[id] {
                    awaiting.append(Awaiting(produced: produced, id: nil, responders: [respond]))
                    return nil
                }
                if window.contains(id) { return .duplicate }
            }
            if buffered.count >= maxPending || bufferedBytes + line.count > WebhookConfig.maxPendingBytes {
                return .unavailable("the pipeline is busy", retryAfter: retryAfter)
            }
            buffered.append(Entry(line: line, id: id, responders: ack == .committed ? [respond] : []))
            bufferedBytes += line.count
            if let id { bufferedIDs[id] = [] }
            condition.broadcast()
            return ack == .accepted ? .accepted : nil
        }
        if let reply { respond(reply) }
    }

    /// Up to `limit` records as JSON lines, waiting up to `wait` seconds for the first; nil when
    /// none came.
    func take(limit: Int, wait: Double) -> (lines: [UInt8], records: Int)? {
        condition.withLock {
            if buffered.isEmpty && closedReply == nil { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
            let n = min(limit, buffered.count)
            guard n > 0 else { return nil }
            var lines: [UInt8] = []
            lines.reserveCapacity(buffered.prefix(n).reduce(0) { $0 + $1.line.count })
            for _ in 0..<n {
                let entry = buffered.removeFirst()
                bufferedBytes -= entry.line.count
                lines += entry.line
                deliveredCount += 1
                var responders = entry.responders
                if let id = entry.id {
                    window.insert(id)
                    responders += bufferedIDs.removeValue(forKey: id) ?? []
                    if ack == .committed { awaitingIDs[id] = deliveredCount }
                }
                if ack == .committed { awaiting.append(Awaiting(produced: deliveredCount, id: entry.id, responders: responders)) }
            }
            return (lines, n)
        }
    }

    /// The state store committed the first `produced` records this run handed on: their senders
    /// get their 2xx.
    func committed(produced: Int) {
        condition.withLock {
            var ready: [Respond] = []
            awaiting.removeAll { waiting in
                guard waiting.produced <= produced else { return false }
                ready += waiting.responders
                if let id = waiting.id { awaitingIDs[id] = nil }
                return true
            }
            // Answered before anyone can see the inbox settled: a source that ends then shuts
            // the server down only after these answers are queued on its event loop.
            ready.forEach { $0(.committed) }
            condition.broadcast()
        }
    }

    /// What `close` answers 503 besides new requests.
    enum Dropping {
        /// Nothing: what is buffered is still handed on, and waiting senders still get their commit.
        case nothing
        /// The records not handed on (`max_items` reached).
        case buffered
        /// Those, and the senders waiting for a commit (a stop signal: no commit will come).
        case everything
    }

    /// Stops taking requests: they are answered 503 from now on, and so is what `dropping` says.
    func close(dropping: Dropping) {
        let reply = WebhookReply.unavailable("the source is stopping", retryAfter: retryAfter)
        let dropped: [Respond] = condition.withLock {
            if closedReply == nil { closedReply = reply }
            condition.broadcast()
            guard dropping != .nothing else { return [] }
            var dropped = buffered.flatMap(\.responders) + bufferedIDs.values.joined()
            buffered.removeAll()
            bufferedIDs.removeAll()
            bufferedBytes = 0
            if dropping == .everything {
                dropped += awaiting.flatMap(\.responders)
                awaiting.removeAll()
                awaitingIDs.removeAll()
            }
            return dropped
        }
        dropped.forEach { $0(reply) }
    }

    /// Nothing is buffered and no sender waits for a commit.
    var settled: Bool { condition.withLock { buffered.isEmpty && awaiting.isEmpty } }

    /// Waits up to `seconds` for a commit or a request (after the source handed on its last records).
    func waitForChange(_ seconds: Double) {
        condition.withLock { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
    }

    /// Records handed on in this run.
    var delivered: Int { condition.withLock { deliveredCount } }

    /// Records handed on in this run, and the delivery ids a checkpoint keeps (nil without `dedupe_header`).
    var position: (delivered: Int, window: String?) {
        condition.withLock { (deliveredCount, dedupes ? window.json : nil) }
    }
}
