import Foundation
import LuaflowCore
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// The WebSocket side of one `LoopbackHTTPServer` connection: asks the responder about a request
/// that wants an upgrade, accepts it when the answer is a ``TestHTTPResponse/webSocket(_:)``, and
/// otherwise keeps the answer for the HTTP handler (so the responder sees the request once).
final class LoopbackUpgrade: Sendable {
    private let connection: Int
    private let respond: LoopbackHTTPServer.Responder
    private let pending = Locked<(refused: TestHTTPResponse?, accepted: (TestWebSocket, TestHTTPRequest)?)>((nil, nil))

    init(connection: Int, respond: @escaping LoopbackHTTPServer.Responder) {
        self.connection = connection
        self.respond = respond
    }

    /// The upgrader for the connection's pipeline.
    var upgrader: NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 24,
            shouldUpgrade: { [self] channel, head in
                let request = TestHTTPRequest(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                                              body: [], arrivedAt: Double(DispatchTime.now().uptimeNanoseconds) / 1e9, connection: connection)
                let response = respond(request)
                guard let behaviour = response.webSocket else {
                    pending.withLock { $0.refused = response }
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                pending.withLock { $0.accepted = (behaviour, request) }
                return channel.eventLoop.makeSucceededFuture(HTTPHeaders())
            },
            upgradePipelineHandler: { [self] channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    guard let (behaviour, request) = pending.withLock({ $0.accepted }) else { return }
                    let connection = TestWebSocketConnection(channel: channel, request: request)
                    try channel.pipeline.syncOperations.addHandler(TestWebSocketHandler(behaviour: behaviour, connection: connection))
                }
            })
    }

    /// The answer the responder gave to a refused upgrade request, once.
    func takeRefusedAnswer() -> TestHTTPResponse? {
        pending.withLock { state in
            defer { state.refused = nil }
            return state.refused
        }
    }
}
