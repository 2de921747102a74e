import Foundation
import LuaflowCore
import CLuaShim

/// What the server does with a request, free of I/O: the path and method, the size limit, the
/// signature (and for the timestamped schemes its age, and a replayed `webhook-id`), the body's
/// JSON; a request that passes goes to the inbox.
struct WebhookRoute: Sendable {
    /// The most `webhook-id`s remembered within the tolerance.
    static let replayCapacity = 100_000

    let config: WebhookConfig
    let inbox: WebhookInbox
    let replays = WebhookReplayGuard(capacity: WebhookRoute.replayCapacity)
    /// The time now, in Unix seconds (tests pass their own).
    var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// The answer to a request whose head says this, before its body is read (nil: read it).
    func early(method: String, path: String, contentLength: Int?) -> WebhookReply? {
        let bare = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        if bare != config.path { return .rejected(404, "no webhook at this path") }
        if method != "POST" { return .rejected(405, "only POST") }
        if let contentLength, contentLength > config.maxBody { return .rejected(413, "the body is larger than \(config.maxBody) bytes") }
        return nil
    }

    /// Checks a complete request and hands its record on; `respond` gets the answer, now or once
    /// the record is committed.
    func handle(body: [UInt8], header: (String) -> String?, respond: @escaping WebhookInbox.Respond) {
        if body.count > config.maxBody { return respond(.rejected(413, "the body is larger than \(config.maxBody) bytes")) }
        let now = self.now()
        if case .refused(let reason) = config.verifier?.check(header: header, body: body, now: now) {
            return respond(.rejected(401, reason))
        }
        guard let line = Self.recordLine(body) else { return respond(.rejected(400, "the body is not one JSON object")) }
        let id = config.dedupeHeader.flatMap(header)
        guard let replay = config.verifier?.replayKey(header: header) else {
            return inbox.accept(line, id: id) { respond($0.naming(id)) }
        }
        switch replays.claim(replay.id, expires: replay.expires, now: now) {
        case .new:
            let replays = self.replays
            inbox.accept(line, id: id) { reply in
                // Not recorded: the sender's retry under the same id must get through.
                if !(200..<300).contains(reply.status) { replays.release(replay.id) }
                respond(reply.naming(id))
            }
        case .repeated:
            respond(.rejected(409, "this webhook-id was received already"))
        case .full:
            respond(.unavailable("too many deliveries within the tolerance", retryAfter: config.retryAfter))
        }
    }

    /// The body as one line of JSON text (line breaks between tokens become spaces), or nil when
    /// it is not a single valid JSON object.
    static func recordLine(_ body: [UInt8]) -> [UInt8]? {
        guard body.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == 0x7B else { return nil }
        var message = [CChar](repeating: 0, count: 128)
        let valid = body.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                luaflow_json_validate($0, bytes.count, &message, message.count)
            }
        }
        guard valid == 1 else { return nil }
        var line = body.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
        line.append(0x0A)
        return line
    }
}
