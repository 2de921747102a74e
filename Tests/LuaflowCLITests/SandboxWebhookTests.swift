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
            #expect(clash.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(clash.stderr)")
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
}
