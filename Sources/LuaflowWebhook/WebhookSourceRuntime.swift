import Foundation
import LuaflowCore
import LuaflowHTTP

/// `source.webhook { listen, path, verify, dedupe_header, max_body, ack }`: an HTTP server whose
/// POSTed JSON objects become records. It never ends by itself: `lifetime`, `max_items` or
/// `--limit` end it (it stops taking requests, hands on what it has, and with `ack = "committed"`
/// waits until those are committed), a stop signal ends it at once (it stops listening and
/// answers 503 to everything not committed).
final class WebhookSourceRuntime: PushSource {
    let stats: NodeStats
    let stream = ""
    let countsPages = false
    private let config: WebhookConfig
    private let name: String
    private let declaredAt: String
    private let inbox: WebhookInbox
    private let live: LiveWebhooks
    private let maxItems: Int?
    private let lifetime: Double?
    private let batchSize: Int
    private var server: WebhookServer?
    private var opened: UInt64 = 0
    private var commits = false
    private var ending = false

    init(_ node: BuiltinNode, live: LiveWebhooks) throws {
        stats = node.stats
        config = try WebhookConfig(node)
        name = node.spec.name
        declaredAt = node.declaredAt
        inbox = WebhookInbox(config: config)
        self.live = live
        maxItems = [node.spec.options.maxItems, node.limit].compactMap { $0 }.min()
        lifetime = node.spec.options.lifetime
        batchSize = node.spec.options.batchSize ?? 1000
    }

    var checkpointsEachBatch: Bool { config.ack == .committed }

    func start(from start: SourceStart) throws {
        inbox.restore(start.committedCursor)
    }

    func checkpointsCommit() { commits = true }

    func committed(produced: Int) { inbox.committed(produced: produced) }

    var position: SourcePosition {
        let (delivered, window) = inbox.position
        return SourcePosition(produced: delivered, cursor: window)
    }

    func open() throws {
        if config.ack == .committed && !commits {
            throw PipelineError(.config, node: name, phase: "open",
                                "source.webhook: ack = \"committed\" answers senders once a checkpoint covers their records, and this run commits none until it ends (no state, or a transform with finalize() downstream); use ack = \"accepted\" (\(declaredAt))")
        }
        do {
            server = try WebhookServer(host: config.host, port: config.port, route: WebhookRoute(config: config, inbox: inbox))
        } catch let error as HTTPListener.BindError {
            throw PipelineError(.runtime, node: name, phase: "open", "source.webhook: \(error) (\(declaredAt))")
        }
        live.add(server!, inbox)
        opened = DispatchTime.now().uptimeNanoseconds
        PipelineLog.logger.info("\(name): listening on http://\(config.host):\(server!.port)\(config.path)")
    }

    func next() throws -> RecordBatch? {
        if Interrupt.requested { return stop() }
        let limitReached = maxItems.map { $0 <= inbox.delivered } ?? false
        if !ending && (limitReached || lifetimeOver) {
            ending = true
            inbox.close(dropping: limitReached ? .buffered : .nothing)
        }
        let room = maxItems.map { max(0, $0 - inbox.delivered) } ?? batchSize
        if let taken = inbox.take(limit: min(batchSize, room), wait: 0.05) {
            stats.update { $0.recordsOut += taken.records }
            return taken.lines.withUnsafeBytes { RecordBatch(copying: $0, records: taken.records, validated: true) }
        }
        if ending {
            if limitReached { inbox.close(dropping: .buffered) }
            if inbox.settled { return stop() }
            inbox.waitForChange(0.05)
        }
        // Nothing yet: the run looks for a stop signal, a failure or a checkpoint due by time.
        return RecordBatch(copying: UnsafeRawBufferPointer(start: nil, count: 0), records: 0, validated: true)
    }

    /// The source is done: stops listening, answers 503 to anything left, stops the server.
    private func stop() -> RecordBatch? {
        guard let server else { return nil }
        live.remove(server)
        server.stopListening()
        inbox.close(dropping: .everything)
        server.shutdown()
        self.server = nil
        return nil
    }

    private var lifetimeOver: Bool {
        guard let lifetime else { return false }
        return Double(DispatchTime.now().uptimeNanoseconds - opened) / 1e9 >= lifetime
    }
}
