import Foundation
@testable import LuaflowCore
import Testing
@testable import LuaflowWebhook

/// The timestamped signature schemes, checked against signatures computed outside this code: the
/// Standard Webhooks specification's published example, and a Stripe-Signature computed with
/// Python's `hmac` (`hmac.new(b"whsec_stripe_test_secret", b"1700000000." + body, sha256).hexdigest()`).
@Suite struct WebhookVerifierTests {
    // The example of the Standard Webhooks specification (and Svix's libraries).
    static let swSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let swID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let swTimestamp = 1614265330.0
    static let swBody = Array(#"{"test": 2432232314}"#.utf8)
    static let swSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    static let stripeSecret = "whsec_stripe_test_secret"
    static let stripeBody = Array(#"{"id":"evt_1","type":"charge.succeeded"}"#.utf8)
    static let stripeSignature = "fb22ffbfe8f82e398afe03ad6d385a59a0083f46bbd8b0ffad81467124cf7673"

    static func standard() throws -> WebhookVerifier {
        .standardWebhooks(try #require(StandardWebhooksSignature(secret: swSecret, tolerance: 300)))
    }

    static func headers(_ fields: [String: String]) -> (String) -> String? {
        { name in fields.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value }
    }

    static func swHeaders(id: String = swID, timestamp: String = "1614265330", signature: String = swSignature) -> (String) -> String? {
        headers(["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature])
    }

    @Test func standardWebhooksAcceptsThePublishedExampleWhileFresh() throws {
        let verifier = try Self.standard()
        #expect(verifier.check(header: Self.swHeaders(), body: Self.swBody, now: Self.swTimestamp) == .accepted)
        #expect(verifier.check(header: Self.swHeaders(), body: Self.swBody, now: Self.swTimestamp + 300) == .accepted)
        #expect(verifier.check(header: Self.swHeaders(signature: "v1a,xyz v1,bm9wZQ== " + Self.swSignature), body: Self.swBody,
                               now: Self.swTimestamp) == .accepted, "one of several signatures")
    }

    @Test func standardWebhooksRefusesStaleReplayedOrAlteredDeliveries() throws {
        let verifier = try Self.standard()
        let stale = "the signed timestamp is outside the tolerance"
        #expect(verifier.check(header: Self.swHeaders(), body: Self.swBody, now: Self.swTimestamp + 301) == .refused(stale))
        #expect(verifier.check(header: Self.swHeaders(), body: Self.swBody, now: Self.swTimestamp - 301) == .refused(stale))
        let mismatch = WebhookVerifier.Verdict.refused("the signature does not match")
        #expect(verifier.check(header: Self.swHeaders(id: "msg_other"), body: Self.swBody, now: Self.swTimestamp) == mismatch,
                "a new delivery id")
        #expect(verifier.check(header: Self.swHeaders(timestamp: "1614265331"), body: Self.swBody, now: Self.swTimestamp) == mismatch,
                "a new timestamp")
        #expect(verifier.check(header: Self.swHeaders(), body: Array(#"{"test": 2432232315}"#.utf8), now: Self.swTimestamp) == mismatch)
        #expect(verifier.check(header: Self.swHeaders(signature: "v2," + Self.swSignature.dropFirst(3)), body: Self.swBody,
                               now: Self.swTimestamp) == mismatch, "another version")
        #expect(verifier.check(header: Self.swHeaders(timestamp: "1614265330.0"), body: Self.swBody, now: Self.swTimestamp)
                == .refused("the signed timestamp is missing or not a number"))
        #expect(verifier.check(header: Self.headers([:]), body: Self.swBody, now: Self.swTimestamp) == .refused("webhook-id is missing"))
        let other = try #require(StandardWebhooksSignature(secret: "whsec_" + Data("another key".utf8).base64EncodedString(), tolerance: 300))
        #expect(WebhookVerifier.standardWebhooks(other).check(header: Self.swHeaders(), body: Self.swBody, now: Self.swTimestamp) == mismatch)
        #expect(StandardWebhooksSignature(secret: "whsec_not base64!", tolerance: 300) == nil)
    }

    @Test func stripeAcceptsAFreshSignatureAndRefusesStaleOrAlteredOnes() {
        let verifier = WebhookVerifier.stripe(StripeSignature(secret: Array(Self.stripeSecret.utf8), tolerance: 300))
        func check(_ value: String, body: [UInt8] = Self.stripeBody, now: Double = 1_700_000_100) -> WebhookVerifier.Verdict {
            verifier.check(header: Self.headers(["stripe-signature": value]), body: body, now: now)
        }
        #expect(check("t=1700000000,v1=\(Self.stripeSignature)") == .accepted)
        #expect(check("t=1700000000,v1=00,v1=\(Self.stripeSignature),v0=ab") == .accepted)
        #expect(check("t=1700000000,v1=\(Self.stripeSignature)", now: 1_700_000_301) == .refused("the signed timestamp is outside the tolerance"))
        #expect(check("t=1700000001,v1=\(Self.stripeSignature)") == .refused("the signature does not match"))
        #expect(check("t=1700000000,v1=\(Self.stripeSignature)", body: Array(#"{"id":"evt_2","type":"charge.succeeded"}"#.utf8))
                == .refused("the signature does not match"))
        #expect(check("t=1700000000,v0=\(Self.stripeSignature)") == .refused("the signature does not match"), "v0 is not trusted")
        #expect(check("v1=\(Self.stripeSignature)") == .refused("the signed timestamp is missing or not a number"))
    }

    @Test func theReplayGuardHoldsFreshIDsWithinItsCapacity() {
        let replays = WebhookReplayGuard(capacity: 2)
        #expect(replays.claim("a", expires: 100, now: 0) == .new)
        #expect(replays.claim("a", expires: 100, now: 50) == .repeated)
        #expect(replays.claim("b", expires: 10, now: 0) == .new)
        #expect(replays.claim("c", expires: 100, now: 5) == .full, "two fresh ids held: none is forgotten early")
        #expect(replays.claim("c", expires: 100, now: 11) == .new, "b expired and was let go")
        replays.release("a")
        #expect(replays.claim("a", expires: 100, now: 12) == .new, "a released id is taken again")
    }

    static func route(_ verify: String, now: Double) throws -> WebhookRoute {
        let config = #"{"listen":"127.0.0.1:0","ack":"accepted","verify":\#(verify)}"#
        let spec = NodeSpec(id: 0, role: .source, name: "hooks", implementation: .builtin("webhook"), configJSON: Array(config.utf8),
                            options: NodeOptions())
        let webhook = try WebhookConfig(BuiltinNode(spec: spec, pipeline: PipelineSpec(file: "p.lua", directory: "/tmp", nodes: [], edges: []),
                                                    stats: NodeStats(name: "hooks", role: .source), limit: nil))
        var route = WebhookRoute(config: webhook, inbox: WebhookInbox(config: webhook))
        route.now = { now }
        return route
    }

    @Test func aReplayedStandardWebhooksDeliveryIsRefusedOnceTheFirstWasTaken() throws {
        let route = try Self.route(#"{"scheme":"standard_webhooks","secret":"\#(Self.swSecret)"}"#, now: Self.swTimestamp + 10)
        let replies = Locked<[WebhookReply]>([])
        for _ in 0..<2 {
            route.handle(body: Self.swBody, header: Self.swHeaders()) { reply in replies.withLock { $0.append(reply) } }
        }
        #expect(replies.withLock { $0.map(\.status) } == [202, 409])
        #expect(route.inbox.take(limit: 10, wait: 0)?.records == 1)
    }

    @Test func settingsTheSchemaCannotCheckAreRefusedNamingTheNode() {
        for (verify, expected) in [(#"{"scheme":"standard_webhooks","secret":"plain text"}"#, "verify.secret: the standard_webhooks scheme expects a whsec_ secret"),
                                   (#"{"secret":"s"}"#, "verify.header is required with the hmac scheme")] {
            let error = #expect(throws: (any Error).self) { _ = try Self.route(verify, now: 0) }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains(expected) && text.contains("hooks"), "\(text)")
        }
    }
}
