import Foundation
import LuaflowTesting

/// Streaming routes: an event feed over Server-Sent Events and the same feed over a WebSocket,
/// each replaying from where the client says it stopped, with disconnects on demand.
///
/// - `/sse/feed`: events `id: N`, `data: {"n":N}` for N = 1...`total` (default 10), after the
///   request's `Last-Event-ID`, `interval` seconds apart (default 0), opened by `retry: 50`.
///   `per_connection=K` drops the connection after K events (a lost connection); once every
///   event was sent the stream stays open, or with `end=done` the response ends and the next
///   connect gets 204 (the standard's "stop"). Every 3rd event is of type `tick` and carries a
///   second `data:` line (`{"n":N,` / `"tick":true}`).
/// - `/sse/private`: the same, with `Authorization: Bearer <bearerToken>` required (401 otherwise).
/// - `/ws/feed`: a WebSocket sending `{"time_us":N000,"n":N}` for N after the `cursor` query
///   parameter's N, with the same `total`, `per_connection` (drop without a close frame) and
///   `interval`; `pong=0` leaves pings unanswered. Text messages it receives are counted under
///   ``webSocketMessageKey(_:)``.
/// - `/ws/private`: the same, with `Authorization: Bearer <bearerToken>` required (401 otherwise).
/// - `/sse/endless-event?lines=N`: event `id: 1` (`{"n":1}`), then one event of N `data:` lines of
///   1,000 bytes each (default 100) that never gets its blank line; the connection stays open.
/// - `/ws/big?bytes=N`: a WebSocket sending `{"n":1}`, then one text message of N bytes.
extension TestHTTPServer {
    /// The ``hits(_:)`` key counting the WebSocket text message `text` received.
    public static func webSocketMessageKey(_ text: String) -> String { "ws-message:" + text }

    func installStreamRoutes() {
        route("/sse/feed") { Self.eventFeed($0) }
        route("/sse/private") { request in
            guard request.header("Authorization") == "Bearer \(Credentials.bearerToken)" else {
                return .json(["error": "unauthorized"], status: 401)
            }
            return Self.eventFeed(request)
        }
        route("/sse/endless-event") { request in
            let line = "data: " + String(repeating: "x", count: 994) + "\n"
            return .eventStream(["id: 1\ndata: {\"n\":1}\n\n"] + Array(repeating: line, count: request.queryInt("lines") ?? 100))
        }
        route("/ws/big") { request in
            let bytes = request.queryInt("bytes") ?? 1000
            return .webSocket(TestWebSocket(answersPings: true, onOpen: { connection in
                connection.send("{\"n\":1}")
                connection.send(String(repeating: "x", count: bytes), after: 0.05)
            }, onText: { _, _ in }))
        }
        route("/ws/feed") { [self] in webSocketFeed($0) }
        route("/ws/private") { [self] request in
            guard request.header("Authorization") == "Bearer \(Credentials.bearerToken)" else {
                return .json(["error": "unauthorized"], status: 401)
            }
            return webSocketFeed(request)
        }
    }

    private static func eventFeed(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let total = request.queryInt("total") ?? 10
        let after = request.header("Last-Event-ID").flatMap { Int($0) } ?? 0
        let ending = request.queryValue("end") == "done"
        if ending && after >= total { return TestHTTPResponse(status: 204) }
        let perConnection = request.queryInt("per_connection") ?? total
        let last = min(total, after + perConnection)
        var chunks = [": feed\nretry: 50\n\n"]
        if after < last {
            for n in (after + 1)...last {
                chunks.append(n % 3 == 0 ? "event: tick\nid: \(n)\ndata: {\"n\":\(n),\ndata: \"tick\":true}\n\n"
                                         : "id: \(n)\ndata: {\"n\":\(n)}\n\n")
            }
        }
        let stream: TestHTTPStream.Ending = last < total ? .drop : ending ? .finish : .hold
        return .eventStream(chunks, interval: Double(request.queryValue("interval") ?? "0") ?? 0, ending: stream)
    }

    private func webSocketFeed(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let total = request.queryInt("total") ?? 10
        let after = (request.queryInt("cursor") ?? 0) / 1000
        let perConnection = request.queryInt("per_connection") ?? total
        let interval = Double(request.queryValue("interval") ?? "0") ?? 0
        let last = min(total, after + perConnection)
        return .webSocket(TestWebSocket(answersPings: request.queryValue("pong") != "0", onOpen: { connection in
            guard after < last else { return }
            for n in (after + 1)...last {
                connection.send("{\"time_us\":\(n * 1000),\"n\":\(n)}", after: interval * Double(n - after))
            }
            if last < total { connection.drop(after: interval * Double(last - after) + 0.05) }
        }, onText: { [self] _, text in
            hit(Self.webSocketMessageKey(text))
        }))
    }
}
