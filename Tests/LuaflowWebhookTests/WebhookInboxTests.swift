import Foundation
@testable import LuaflowCore
import Testing
@testable import LuaflowWebhook

@Suite struct WebhookInboxTests {
    final class Answers: @unchecked Sendable {
        let list = Locked<[String: WebhookReply]>([:])
        func respond(_ name: String) -> WebhookInbox.Respond { { reply in self.list.withLock { $0[name] = reply } } }
        subscript(_ name: String) -> WebhookReply? { list.withLock { $0[name] } }
    }

    static func inbox(ack: String = "committed", maxPending: Int = 10) throws -> WebhookInbox {
        let spec = NodeSpec(id: 0, role: .source, name: "hooks", implementation: .builtin("webhook"), configJSON: Array(#"{"listen":"127.0.0.1:0","ack":"\#(ack)","max_pending":\#(maxPending),"dedupe_header":"X-Id","retry_after":3}"#.utf8),
                            options: NodeOptions())
        return WebhookInbox(config: try WebhookConfig(BuiltinNode(spec: spec, pipeline: PipelineSpec(file: "p.lua", directory: "/tmp", nodes: [], edges: []),
                                                                  stats: NodeStats(name: "hooks", role: .source), limit: nil)))
    }

    static let line = Array("{\"a\":1}\n".utf8)

    @Test func answersOnlyOnceTheCheckpointIsCommitted() throws {
        let inbox = try Self.inbox()
        let answers = Answers()
        inbox.accept(Self.line, id: "d1", respond: answers.respond("first"))
        inbox.accept(Self.line, id: "d2", respond: answers.respond("second"))
        #expect(inbox.take(limit: 1, wait: 0)?.records == 1)
        inbox.committed(produced: 1)
        #expect(answers["first"] == .committed)
        #expect(answers["second"] == nil, "not handed on yet")
        #expect(inbox.take(limit: 10, wait: 0)?.records == 1)
        #expect(answers["second"] == nil, "handed on, not committed")
        inbox.committed(produced: 2)
        #expect(answers["second"] == .committed)
    }

    @Test func aDuplicateWaitsForTheOriginalsCommit() throws {
        let inbox = try Self.inbox()
        let answers = Answers()
        inbox.accept(Self.line, id: "d1", respond: answers.respond("original"))
        inbox.accept(Self.line, id: "d1", respond: answers.respond("while buffered"))
        #expect(inbox.take(limit: 10, wait: 0)?.records == 1)
        inbox.accept(Self.line, id: "d1", respond: answers.respond("while in flight"))
        #expect(inbox.take(limit: 10, wait: 0) == nil)
        inbox.committed(produced: 1)
        #expect(["original", "while buffered", "while in flight"].allSatisfy { answers[$0] == .committed })
        inbox.accept(Self.line, id: "d1", respond: answers.respond("later"))
        #expect(answers["later"] == .duplicate)
        #expect(inbox.position.window?.contains("d1") == true)
    }

    @Test func aFullInboxAnswers503WithRetryAfter() throws {
        let inbox = try Self.inbox(ack: "accepted", maxPending: 2)
        let answers = Answers()
        for name in ["1", "2", "3"] { inbox.accept(Self.line, id: nil, respond: answers.respond(name)) }
        #expect(answers["1"] == .accepted && answers["2"] == .accepted)
        #expect(answers["3"]?.status == 503 && answers["3"]?.retryAfter == 3)
    }

    @Test func closingAnswers503ToWhatNoCommitCovers() throws {
        let inbox = try Self.inbox()
        let answers = Answers()
        inbox.accept(Self.line, id: "d1", respond: answers.respond("in flight"))
        _ = inbox.take(limit: 10, wait: 0)
        inbox.accept(Self.line, id: "d2", respond: answers.respond("buffered"))
        inbox.close(dropping: .buffered)
        #expect(answers["buffered"]?.status == 503)
        #expect(answers["in flight"] == nil, "still waits for its commit")
        inbox.accept(Self.line, id: "d3", respond: answers.respond("after"))
        #expect(answers["after"]?.status == 503)
        inbox.close(dropping: .everything)
        #expect(answers["in flight"]?.status == 503)
        #expect(inbox.settled)
    }

    @Test func aBodyBecomesOneLineOfJSON() {
        #expect(WebhookRoute.recordLine(Array("{\n \"a\": [1,\r\n 2]\n}".utf8)) == Array("{  \"a\": [1,   2] }\n".utf8))
        #expect(WebhookRoute.recordLine(Array("[1]".utf8)) == nil)
        #expect(WebhookRoute.recordLine(Array("{\"a\":}".utf8)) == nil)
        #expect(WebhookRoute.recordLine(Array("{\"a\":\"x\ny\"}".utf8)) == nil, "a raw line break inside a string is not JSON")
        // A sender chooses the nesting: 100,000 levels are refused (the validator stops at 1,000), not recursed into.
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(WebhookRoute.recordLine(Array(deep.utf8)) == nil)
        let fine = "{\"a\":" + String(repeating: "[", count: 900) + String(repeating: "]", count: 900) + "}"
        #expect(WebhookRoute.recordLine(Array(fine.utf8)) != nil)
    }

    @Test func answersNameTheirDelivery() {
        #expect(WebhookReply.committed.naming("d-\"1").body == #"{"status":"committed","delivery":"d-\"1"}"#)
        #expect(WebhookReply.rejected(401, "no").naming("d").body == #"{"error":"no"}"#)
    }
}
