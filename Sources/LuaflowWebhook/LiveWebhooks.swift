import LuaflowCore

/// The webhook servers of the running pipeline, so a stop signal reaches them at once (from the
/// runner's thread, through `HostExtensions.onInterrupt`) even while a source's thread is busy.
final class LiveWebhooks: Sendable {
    private let servers = Locked<[ObjectIdentifier: (WebhookServer, WebhookInbox)]>([:])

    func add(_ server: WebhookServer, _ inbox: WebhookInbox) {
        servers.withLock { $0[ObjectIdentifier(server)] = (server, inbox) }
    }

    func remove(_ server: WebhookServer) {
        _ = servers.withLock { $0.removeValue(forKey: ObjectIdentifier(server)) }
    }

    /// Stops listening first, then answers 503 to every request not committed.
    func interrupt() {
        for (server, inbox) in servers.withLock({ Array($0.values) }) {
            server.stopListening()
            inbox.close(dropping: .everything)
        }
    }
}
