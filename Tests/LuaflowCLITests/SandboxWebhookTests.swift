import Crypto
import Foundation
import Testing
import TestSupport

/// Red-team tests of `source.webhook`, the one capability that opens a listening socket: it
/// listens on the configured address only, and its shared secret (`env:HOOK_SECRET`) appears in no
/// output, log, answer or the state store.
@Suite(.serialized) struct SandboxWebhookTests {
    /// This machine's IPv4 addresses other than loopback.
    static func otherAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var found: [String] = []
        var next = list
        while let entry = next {
            defer { next = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            getnameinfo(address, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            let text = String(cString: host)
            if !text.hasPrefix("127.") { found.append(text) }
        }
        return found
    }

    @Test func listensOnTheConfiguredAddressOnly() async throws {
        try await onThread {
            let port = WebhookClient.freePort()
            let dir = try WebhookSourceTests.workspace(port: port)
            let run = try WebhookSourceTests.start(dir)
            let client = WebhookClient(port: port)
            #expect(client.waitUntilListening())
            #expect(client.post(#"{"id":"a"}"#)?.status == 200)
            #expect(client.post(#"{"id":"b"}"#, host: "::1") == nil, "reachable on IPv6 loopback")
            for address in Self.otherAddresses() {
                #expect(client.post(#"{"id":"c"}"#, host: address, timeout: 2) == nil, "reachable on \(address)")
            }
            run.signal(SIGTERM)
            #expect(run.wait() == 143, "\(run.stderr)")
        }
    }

    @Test func theSharedSecretAppearsNowhere() async throws {
        try await onThread {
            let secret = SandboxSecretsTests.secret
            let port = WebhookClient.freePort()
            let dir = try WebhookSourceTests.workspace(port: port)
            let env = ["HOOK_SECRET": secret]
            let run = try BackgroundRun(["run", "pipeline.lua", "-v"], in: dir, environment: env)
            var client = WebhookClient(port: port)
            client.secret = secret
            #expect(client.waitUntilListening())
            let forged = client.post(#"{"id":"x"}"#, signature: "sha256=00")
            #expect(forged?.status == 401)
            let good = client.post(#"{"id":"y"}"#, headers: ["X-Delivery-Id": "d-1"])
            #expect(good?.status == 200)
            // A second run cannot bind the same address: its error names the address, not the secret.
            let clash = try LuaflowBinary.run(["run", "pipeline.lua", "--state", "other.db", "-v"], in: dir, environment: env)
            #expect(clash.exitCode == 1)
            #expect(clash.stderr.contains("cannot listen on 127.0.0.1:\(port): the port is already in use"), "\(clash.stderr)")
            #expect(!clash.stderr.contains("errno") && !clash.stderr.contains("descriptor:"), "\(clash.stderr)")
            let check = try LuaflowBinary.run(["check", "pipeline.lua", "--options"], in: dir, environment: env)
            run.signal(SIGTERM)
            #expect(run.wait() == 143)
            SandboxSecretsTests.expectAbsent(secret, from: [
                "stderr": run.stderr, "stdout": run.stdout, "clash": clash.stderr + clash.stdout,
                "check": check.stdout + check.stderr, "401 answer": forged?.body ?? "", "200 answer": good?.body ?? "",
                "state": String(decoding: try SandboxSecretsTests.stateBytes(dir), as: UTF8.self),
            ])
        }
    }

    /// The Standard Webhooks headers for `body`, signed with `key` by swift-crypto here, apart
    /// from the source's own code: `v1,` + base64 HMAC-SHA256 of "id.timestamp.body".
    static func standardWebhooksHeaders(_ body: String, id: String, timestamp: Int, key: [UInt8]) -> [String: String] {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(id).\(timestamp).\(body)".utf8), using: SymmetricKey(data: key))
        return ["webhook-id": id, "webhook-timestamp": String(timestamp), "webhook-signature": "v1," + Data(mac).base64EncodedString()]
    }

    @Test func aCapturedStandardWebhooksDeliveryCannotBeReplayed() async throws {
        try await onThread {
            let key = Array("replay-test-key-0123456789".utf8)
            let port = WebhookClient.freePort()
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            local hooks = source.webhook {
              name = "hooks", listen = "127.0.0.1:\(port)", path = "/hooks/orders", max_items = 2,
              verify = { scheme = "standard_webhooks", secret = "env:HOOK_SECRET" },
            }
            network { { hooks, sink.file { path = "out/events.jsonl" } } }
            """)
            let run = try BackgroundRun(["run", "pipeline.lua", "-q"], in: dir,
                                        environment: ["HOOK_SECRET": "whsec_" + Data(key).base64EncodedString()])
            let client = WebhookClient(port: port)
            #expect(client.waitUntilListening())
            let now = Int(Date().timeIntervalSince1970)
            let body = #"{"id":"o-1"}"#
            let captured = Self.standardWebhooksHeaders(body, id: "msg_1", timestamp: now, key: key)
            #expect(client.post(body, signed: false, headers: captured)?.status == 200)
            #expect(client.post(body, signed: false, headers: captured)?.status == 409, "the same delivery again")
            var renamed = captured
            renamed["webhook-id"] = "msg_2"
            #expect(client.post(body, signed: false, headers: renamed)?.status == 401, "under a new delivery id")
            let stale = Self.standardWebhooksHeaders(#"{"id":"o-old"}"#, id: "msg_3", timestamp: now - 600, key: key)
            #expect(client.post(#"{"id":"o-old"}"#, signed: false, headers: stale)?.status == 401, "signed ten minutes ago")
            let next = Self.standardWebhooksHeaders(#"{"id":"o-2"}"#, id: "msg_4", timestamp: now, key: key)
            #expect(client.post(#"{"id":"o-2"}"#, signed: false, headers: next)?.status == 200)
            #expect(run.wait() == 0, "\(run.stderr)")
            #expect(try WebhookSourceTests.ids(dir, ["out/events.jsonl"]) == ["o-1", "o-2"])
        }
    }

    @Test func aStaleStripeSignatureIsRefused() async throws {
        try await onThread {
            let secret = "whsec_stripe_e2e"
            let port = WebhookClient.freePort()
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            local hooks = source.webhook {
              name = "hooks", listen = "127.0.0.1:\(port)", path = "/hooks/orders", max_items = 1,
              verify = { scheme = "stripe", secret = "env:HOOK_SECRET", tolerance = 60 },
            }
            network { { hooks, sink.file { path = "out/events.jsonl" } } }
            """)
            let run = try BackgroundRun(["run", "pipeline.lua", "-q"], in: dir, environment: ["HOOK_SECRET": secret])
            let client = WebhookClient(port: port)
            #expect(client.waitUntilListening())
            func header(_ body: String, _ t: Int) -> [String: String] {
                let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
                return ["Stripe-Signature": "t=\(t),v1=" + mac.map { String(format: "%02x", $0) }.joined()]
            }
            let now = Int(Date().timeIntervalSince1970)
            #expect(client.post(#"{"id":"late"}"#, signed: false, headers: header(#"{"id":"late"}"#, now - 120))?.status == 401)
            #expect(client.post(#"{"id":"ok"}"#, signed: false, headers: header(#"{"id":"ok"}"#, now))?.status == 200)
            #expect(run.wait() == 0, "\(run.stderr)")
            #expect(try WebhookSourceTests.ids(dir, ["out/events.jsonl"]) == ["ok"])
        }
    }
}
