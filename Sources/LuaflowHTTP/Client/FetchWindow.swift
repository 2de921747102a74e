/// Requests running ahead of the one a thread waits for: up to the caller's limit at once, each
/// through the session's rate limiter, retries and auth, their responses taken in the order the
/// caller needs them. What lets a page walk fetch the next pages while it hands on this one, with
/// the records still leaving in order.
///
///     window.keep([(3, pageThree), (4, pageFour)], credentialOrigin: origin)  // both start
///     let third = try window.take(3)                                            // blocks for page 3 only
///
/// Not thread-safe: one window belongs to one thread (a stage). Dropping it cancels what runs.
final class FetchWindow<Key: Equatable> {
    private let session: HTTPSession
    private var running: [(key: Key, task: Task<HTTPResponse, Error>)] = []

    init(session: HTTPSession) {
        self.session = session
    }

    deinit { cancelAll() }

    /// Keys of the requests in flight (or finished and not taken), oldest first.
    var keys: [Key] { running.map(\.key) }

    /// Makes `wanted` the requests in flight: starts those that are not (in the order given, so
    /// the earliest wait least for the rate limiter) and cancels the rest, which were guessed wrong.
    func keep(_ wanted: [(key: Key, request: HTTPRequest)], credentialOrigin: Origin?) {
        for entry in running where !wanted.contains(where: { $0.key == entry.key }) { entry.task.cancel() }
        running.removeAll { entry in !wanted.contains { $0.key == entry.key } }
        for (key, request) in wanted { start(key, request: request, credentialOrigin: credentialOrigin) }
    }

    /// Starts the request for `key` unless it is in flight already; leaves the others alone.
    func start(_ key: Key, request: HTTPRequest, credentialOrigin: Origin?) {
        guard !running.contains(where: { $0.key == key }) else { return }
        let session = self.session
        running.append((key, session.runtime.spawn { try await session.execute(request, raise: true, credentialOrigin: credentialOrigin) }))
    }

    /// Blocks until the request for `key` (started by ``keep(_:credentialOrigin:)``) finished and
    /// returns its response or throws its error; it leaves the window either way. A stop signal
    /// (``HTTPRuntime/cancelBlockingCalls()``) cancels it and every other request of the window.
    @available(*, noasync, message: "blocks the calling thread")
    func take(_ key: Key) throws -> HTTPResponse {
        guard let index = running.firstIndex(where: { $0.key == key }) else {
            throw HTTPError(.cancelled, detail: "no request in flight for this page")
        }
        let task = running.remove(at: index).task
        let others = running.map(\.task)
        return try session.runtime.runBlocking {
            try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                task.cancel()
                others.forEach { $0.cancel() }
            }
        }
    }

    func cancelAll() {
        running.forEach { $0.task.cancel() }
        running.removeAll()
    }
}
