import Foundation
import LuaflowCore
import Logging

/// A Server-Sent Events subscription read by one thread (a node's): connects, parses the body
/// incrementally, and reconnects when the connection ends or fails, waiting the server's
/// `retry` (or 1 s) with backoff and sending `Last-Event-ID` so the server can replay what was
/// missed. The body is read by a task on ``DedicatedTaskExecutor`` into a bounded inbox; the
/// thread blocks only in ``next(until:)``, which a stop signal ends at once.
///
/// A 204 answer ends the stream for good (the standard's "do not reconnect"); 401/403 and other
/// 4xx statuses fail it, and so does an event larger than `maxEventBytes` (``StreamLimitError``);
/// lost connections, timeouts and 5xx/429 reconnect, up to `maxReconnects` times in a row
/// without an event in between.
final class SSEStream: @unchecked Sendable {
    /// What ``next(until:)`` found.
    enum Next {
        case event(SSEEvent)
        case timedOut
        /// The server ended the stream for good.
        case ended
    }

    private enum Item: Sendable {
        /// The server answered with the stream's head.
        case opened
        case events([SSEEvent])
        /// The server sent a `retry:` field (milliseconds).
        case retry(Int)
    }

    let session: HTTPSession
    private let request: HTTPRequest
    private let maxReconnects: Int
    private let maxEventBytes: Int
    private let logger: Logger
    /// The id of the last event handed out (sent as `Last-Event-ID` on every connect).
    private(set) var lastEventID: String?
    private var backoff = ReconnectBackoff()
    private var inbox: StreamInbox<Item>?
    private var task: Task<Void, Never>?
    private var pending: [SSEEvent] = []
    private var reconnectAt: UInt64?
    private var finished = false
    /// Connections made (the first one included).
    private(set) var connections = 0

    init(session: HTTPSession, request: HTTPRequest, lastEventID: String?, maxReconnects: Int = 10,
         maxEventBytes: Int = SSEParser.defaultMaxEventBytes) {
        self.session = session
        self.request = request
        self.lastEventID = lastEventID
        self.maxReconnects = maxReconnects
        self.maxEventBytes = maxEventBytes
        self.logger = session.logger
    }

    deinit { close() }

    /// The next event, waiting until `deadline` (uptime nanoseconds; nil: as long as it takes).
    func next(until deadline: UInt64?) throws -> Next {
        while true {
            if !pending.isEmpty {
                let event = pending.removeFirst()
                lastEventID = event.id
                return .event(event)
            }
            if finished { return .ended }
            if inbox == nil {
                if let reconnectAt {
                    guard try StreamDeadline.sleep(until: reconnectAt, deadline: deadline) else { return .timedOut }
                    self.reconnectAt = nil
                }
                connect()
            }
            switch try inbox!.take(until: deadline) {
            case .item(.opened):
                continue
            case .item(.events(let events)):
                backoff.succeeded()
                pending = events
            case .item(.retry(let ms)):
                backoff.base = Double(ms) / 1000
            case .timedOut:
                return .timedOut
            case .ended(let error):
                try connectionEnded(error)
            }
        }
    }

    /// Connects now and waits for the server's answer (at most the connect and read timeouts), so
    /// a refusal (401, 404, TLS) fails here rather than at the first ``next(until:)``.
    func open() throws {
        guard inbox == nil, !finished else { return }
        connect()
        let timeout = session.config.timeout
        switch try inbox!.take(until: StreamDeadline.after(timeout.connect + timeout.read)) {
        case .item(.opened), .timedOut: break
        case .item(.events(let events)): pending += events
        case .item(.retry(let ms)): backoff.base = Double(ms) / 1000
        case .ended(let error): try connectionEnded(error)
        }
    }

    /// Stops reading and closes the connection.
    func close() {
        inbox?.close()
        task?.cancel()
        inbox = nil
        task = nil
    }

    private func connect() {
        connections += 1
        let inbox = StreamInbox<Item>()
        var request = self.request
        request.setHeader("Accept", "text/event-stream")
        request.setHeader("Cache-Control", "no-cache")
        if let lastEventID { request.setHeader("Last-Event-ID", lastEventID) }
        let (session, last, prepared, maxEventBytes) = (session, lastEventID, request, maxEventBytes)
        let body: @Sendable () async -> Void = {
            do {
                let response = try await session.openStream(prepared)
                if response.status == 204 {
                    inbox.finish(StreamEnd())
                    return
                }
                guard await inbox.push(.opened) else { return }
                var parser = SSEParser(lastEventID: last, maxEventBytes: maxEventBytes)
                var lastRetry: Int?
                for try await chunk in response.body {
                    let events = try parser.feed(chunk.readableBytesView)
                    if let retry = parser.retry, retry != lastRetry {
                        lastRetry = retry
                        guard await inbox.push(.retry(retry)) else { return }
                    }
                    session.metrics.record { $0.bytesReceived += chunk.readableBytes }
                    if !events.isEmpty { guard await inbox.push(.events(events)) else { return } }
                }
                inbox.finish(nil)
            } catch {
                inbox.finish(error)
            }
        }
        if #available(macOS 15.0, iOS 18.0, tvOS 18.0, watchOS 11.0, *) {
            task = Task(executorPreference: DedicatedTaskExecutor.shared, operation: body)
        } else {
            task = Task.detached(operation: body)
        }
        self.inbox = inbox
    }

    /// The connection is over: end for good, fail, or plan the next connect.
    private func connectionEnded(_ error: Error?) throws {
        task = nil
        inbox = nil
        if error is StreamEnd {
            finished = true
            return
        }
        if let error = error as? any StreamLimitError { throw error }
        if let error = error as? HTTPError {
            if error.kind == .cancelled || error.kind == .tls || error.kind == .invalidConfig || error.kind == .authentication { throw error }
            if error.kind == .status, let status = error.status, !(status == 408 || status == 429 || status >= 500) { throw error }
        }
        guard backoff.failures < maxReconnects else {
            throw HTTPError(.connection, method: request.method, url: try? request.resolvedURL(base: session.config.baseURL),
                            attempts: connections, detail: "gave up after \(maxReconnects) reconnects in a row without an event: \(shortReason(error))")
        }
        let delay = backoff.nextDelay(unit: Double.random(in: 0...1))
        session.metrics.record { $0.retries += 1 }
        logger.info("event stream \(URLRedactor.redact((try? request.resolvedURL(base: session.config.baseURL)) ?? request.url)): \(reason(error)); reconnecting in \(String(format: "%.2f", delay)) s")
        reconnectAt = StreamDeadline.now + UInt64(delay * 1e9)
    }

    /// ``reason(_:)`` without the request line, which the error giving up names already.
    private func shortReason(_ error: Error?) -> String {
        (error as? HTTPError).flatMap { $0.kind == .status ? nil : $0.detail } ?? reason(error)
    }

    private func reason(_ error: Error?) -> String {
        guard let error else { return "the server closed the stream" }
        if let error = error as? HTTPError { return error.description }
        let failure = TransportErrorClassifier.classify(error, timeouts: session.config.timeout)
        return failure.detail
    }

    /// A 204: the server says there is nothing more.
    private struct StreamEnd: Error {}
}
