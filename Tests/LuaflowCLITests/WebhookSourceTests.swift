import Foundation
import Testing
import LuaflowCore
import TestSupport

/// `source.webhook` through the built binary: signatures, limits, backpressure, delivery ids
/// remembered across runs, and every acknowledged event written exactly once across kill -9.
@Suite(.serialized) struct WebhookSourceTests {
    static let secret = "hook-secret"

    /// A pipeline receiving webhooks on `port` into `sink`, with `options` added to the source.
    static func workspace(port: Int, options: String = "", transform: String? = nil,
                          sink: String = #"sink.file { path = "out/events.jsonl" }"#) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        let middle = transform.map { "transform(function(r) \($0) end), " } ?? ""
        try dir.write("pipeline.lua", """
        local hooks = source.webhook {
          name = "hooks", listen = "127.0.0.1:\(port)", path = "/hooks/orders",
          verify = { hmac = "sha256", header = "X-Signature", secret = "env:HOOK_SECRET", prefix = "sha256=" },
          dedupe_header = "X-Delivery-Id", max_body = "1KB", \(options)
        }
        network { { hooks, \(middle)\(sink) } }
        """)
        return dir
    }

    static func start(_ dir: URL, _ extra: [String] = []) throws -> BackgroundRun {
        try BackgroundRun(["run", "pipeline.lua", "-q"] + extra, in: dir, environment: ["HOOK_SECRET": secret])
    }

    /// The `id` of every record in `files` (relative to `dir`), in order.
    static func ids(_ dir: URL, _ files: [String]) throws -> [String] {
        try files.flatMap { file in
            try dir.read(file).split(separator: "\n").map {
                let object = try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                return try #require(object?["id"] as? String, "\($0)")
            }
        }
    }

    @Test func signedPostsAreRecordedAndForgedOrOversizedOnesRefused() async throws {
        try await onThread {
            let port = WebhookClient.freePort()
            let dir = try Self.workspace(port: port, options: "max_items = 2")
            let run = try Self.start(dir)
            let client = WebhookClient(port: port)
            #expect(client.waitUntilListening())
            let body = #"{"id":"o-1","total":12.5}"#
            #expect(client.post(body, signature: "sha256=" + String(repeating: "0", count: 64))?.status == 401)
            #expect(client.post(body, signature: client.signature(body, secret: "guess"))?.status == 401)
            #expect(client.post(body, signed: false)?.status == 401)
            #expect(client.post(body, signature: client.signature(body).uppercased())?.status == 401)
            #expect(client.post(#"{"id":"big","pad":"\#(String(repeating: "x", count: 2000))"}"#)?.status == 413)
            #expect(client.post("[1,2]")?.status == 400)
            var wrongPath = client
            wrongPath.path = "/hooks/other"
            #expect(wrongPath.post(body)?.status == 404)
            let first = client.post("{\n  \"id\": \"o-1\",\n  \"total\": 12.5\n}", headers: ["X-Delivery-Id": "d-1"])
            #expect(first?.status == 200 && first?.body.contains("committed") == true, "\(String(describing: first))")
            #expect(client.post(#"{"id":"o-2"}"#, headers: ["X-Delivery-Id": "d-2"])?.status == 200)
            #expect(run.wait() == 0, "\(run.stderr)")
            #expect(try Self.ids(dir, ["out/events.jsonl"]) == ["o-1", "o-2"])
            #expect(client.post(body) == nil, "the server stopped listening when the source ended")
        }
    }

    @Test func aBusyPipelineAnswers503WithRetryAfter() async throws {
        try await onThread {
            let port = WebhookClient.freePort()
            let dir = try Self.workspace(port: port, options: #"ack = "accepted", max_pending = 1, retry_after = 7"#,
                                         transform: "time.sleep(0.5) return r")
            let run = try Self.start(dir)
            let client = WebhookClient(port: port)
            #expect(client.waitUntilListening())
            var statuses: [Int] = []
            var busy: WebhookClient.Response?
            for i in 1...40 where busy == nil {
                let response = client.post(#"{"id":"b-\#(i)"}"#)
                statuses.append(response?.status ?? 0)
                if response?.status == 503 { busy = response }
            }
            #expect(busy?.headers["retry-after"] == "7", "\(statuses)")
            #expect(statuses.first == 202)
            run.signal(SIGTERM)
            #expect(run.wait() == 143, "\(run.stderr)")
        }
    }

    @Test func aDeliveryIsRecordedOnceAcrossARestart() async throws {
        try await onThread {
            let port = WebhookClient.freePort()
            let dir = try Self.workspace(port: port)
            let client = WebhookClient(port: port)
            let first = try Self.start(dir)
            #expect(client.waitUntilListening())
            #expect(client.post(#"{"id":"o-1"}"#, headers: ["X-Delivery-Id": "d-1"])?.body.contains("committed") == true)
            #expect(client.post(#"{"id":"o-1"}"#, headers: ["X-Delivery-Id": "d-1"])?.body.contains("duplicate") == true)
            first.signal(SIGTERM)
            #expect(first.wait() == 143, "\(first.stderr)")
            #expect(client.post(#"{"id":"o-1"}"#) == nil, "SIGTERM closed the listening socket")

            let second = try Self.start(dir, ["--set", "hooks.max_items=1"])
            #expect(client.waitUntilListening())
            #expect(client.post(#"{"id":"o-1"}"#, headers: ["X-Delivery-Id": "d-1"])?.body.contains("duplicate") == true)
            #expect(client.post(#"{"id":"o-2"}"#, headers: ["X-Delivery-Id": "d-2"])?.body.contains("committed") == true)
            #expect(second.wait() == 0, "\(second.stderr)")
            #expect(try Self.ids(dir, ["out/events.jsonl"]) == ["o-1", "o-2"])
        }
    }

    /// Senders retry until they get a 2xx (as webhook providers do) while the server is killed
    /// with SIGKILL and restarted; the output rotates every 2 KB. At the end every acknowledged
    /// event is in the published files exactly once, and no event twice.
    @Test func everyAcknowledgedEventIsWrittenExactlyOnceAcrossKills() async throws {
        try await onThread {
            let port = WebhookClient.freePort()
            let dir = try Self.workspace(port: port, sink: #"sink.file { path = "out/events-{time}.jsonl", rotate = { bytes = "2KB" } }"#)
            let client = WebhookClient(port: port)
            let acknowledged = Locked<Set<String>>([])
            let senders = 4, perSender = 60
            let group = DispatchGroup()
            for s in 0..<senders {
                group.enter()
                Thread {
                    for i in 0..<perSender {
                        let id = "e-\(s)-\(i)"
                        while true {
                            if let r = client.post(#"{"id":"\#(id)","pad":"0123456789"}"#, headers: ["X-Delivery-Id": id], timeout: 3),
                               (200..<300).contains(r.status) {
                                acknowledged.withLock { _ = $0.insert(id) }
                                break
                            }
                            Thread.sleep(forTimeInterval: 0.02)
                        }
                    }
                    group.leave()
                }.start()
            }
            var random = SeededGenerator(seed: 19)
            for _ in 0..<3 {
                let run = try Self.start(dir)
                _ = client.waitUntilListening()
                Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.8, using: &random))
                run.kill9()
            }
            let steady = try Self.start(dir)
            #expect(group.wait(timeout: .now() + 120) == .success)
            steady.signal(SIGTERM)
            #expect(steady.wait() == 143, "\(steady.stderr)")
            let last = try Self.start(dir, ["--set", "hooks.lifetime=0.5"])
            #expect(last.wait() == 0, "\(last.stderr)")

            let files = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("out").path).sorted()
            #expect(!files.contains { $0.hasSuffix(".partial") }, "\(files)")
            #expect(files.count > 3, "rotated by size: \(files)")
            let ids = try Self.ids(dir, files.map { "out/" + $0 })
            #expect(ids.count == Set(ids).count, "an event was written twice")
            #expect(Set(ids) == acknowledged.withLock { $0 })
            #expect(ids.count == senders * perSender)
        }
    }
}
