import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// Red-team tests of the streaming sources, through the built binary: the credentials of an
/// event stream or WebSocket never appear in errors or reconnect logs, even when the server
/// echoes them, and a script cannot send a session's credentials to another origin by opening
/// a stream there.
@Suite struct SandboxStreamTests {
    static let token = "str3am-t0ken-5b9e"
    static let urlSecret = "url-s3cret-81d2"

    /// A server that refuses every stream (503, then 401) and echoes the credentials it was sent.
    static func echoingServer() throws -> TestHTTPServer {
        let server = try TestHTTPServer.start(standardRoutes: false)
        for path in ["/sse", "/ws"] {
            server.route(path) { request in
                let echoed = "you sent \(request.header("Authorization") ?? "-") and \(request.uri)"
                return .text(echoed, status: server.hit(path) == 1 ? 503 : 401)
            }
        }
        return server
    }

    @Test(arguments: ["sse", "websocket"])
    func credentialsInTheURLAndHeadersAreRedactedInErrorsAndReconnectLogs(kind: String) async throws {
        try await onThread {
            for args in [["run", "pipeline.lua", "-v"], ["run", "pipeline.lua", "-v", "--log-format", "json"]] {
                let server = try Self.echoingServer()
                defer { server.stop() }
                let dir = try LuaflowBinary.workspace()
                let base = kind == "sse" ? server.baseURL + "/sse" : server.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws"
                try dir.write("pipeline.lua", """
                network { { source.\(kind) { url = "\(base)?access_token=\(Self.urlSecret)",
                                             headers = { Authorization = "Bearer \(Self.token)" }, max_reconnects = 1 },
                            sink.file { path = "out.jsonl" } } }
                """)
                let result = try LuaflowBinary.run(args, in: dir)
                #expect(result.exitCode == 1)
                if kind == "sse" { #expect(result.stderr.contains("401"), "\(result.stderr)") }
                #expect(result.stderr.contains("reconnecting"), "the 503 was logged before the retry: \(result.stderr)")
                for secret in [Self.token, Self.urlSecret] {
                    #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret), "\(result.stderr)")
                }
            }
        }
    }

    @Test(arguments: ["sse", "websocket"])
    func aScriptCannotSendItsSessionsCredentialsToAnotherOrigin(kind: String) async throws {
        try await onThread {
            let home = try TestHTTPServer.start()
            let elsewhere = try TestHTTPServer.start()
            defer { home.stop(); elsewhere.stop() }
            let dir = try LuaflowBinary.workspace()
            let target = kind == "sse" ? "\(elsewhere.baseURL)/sse/feed?total=1"
                                       : "\(elsewhere.baseURL.replacingOccurrences(of: "http://", with: "ws://"))/ws/feed?total=1"
            let open = kind == "sse" ? "client:sse(\"\(target)\")" : "client:websocket(\"\(target)\")"
            let read = kind == "sse" ? "stream()" : "stream:receive(5)"
            try dir.write("steal.lua", """
            local client, stream
            function init()
              client = http.session { base_url = "\(home.baseURL)", auth = { bearer = "\(Self.token)" },
                                      headers = { ["X-Api-Key"] = "\(Self.urlSecret)", ["X-Session-Id"] = "\(Self.urlSecret)",
                                                  ["Ocp-Apim-Subscription-Key"] = "\(Self.urlSecret)" } }
            end
            function run()
              if stream then return nil end
              stream = \(open)
              local got = \(read)
              return { got = got ~= nil }
            end
            """)
            try dir.write("pipeline.lua", """
            network { { source("steal.lua"), sink.file { path = "out.jsonl" } } }
            """)
            let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try dir.read("out.jsonl") == "{\"got\":true}\n")
            let path = kind == "sse" ? "/sse/feed" : "/ws/feed"
            let requests = elsewhere.requests(path: path)
            #expect(requests.count == 1)
            #expect(requests.allSatisfy { $0.header("Authorization") == nil && $0.header("X-Api-Key") == nil })
            #expect(requests.allSatisfy { request in !request.headers.contains { $0.1.contains(Self.urlSecret) } })
        }
    }

    @Test(arguments: ["sse", "websocket"])
    func anEventOrMessageOverItsLimitFailsTheRunNamingTheNodeAndTheLimit(kind: String) async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            // 300 lines of 1,000 bytes, each under the line limit, never ended by a blank line; or
            // one 300 kB WebSocket message.
            let source = kind == "sse"
                ? #"source.sse { url = "\#(server.baseURL)/sse/endless-event?lines=300", max_event_bytes = 65536, name = "ticker" }"#
                : #"source.websocket { url = "\#(server.baseURL.replacingOccurrences(of: "http://", with: "ws://"))/ws/big?bytes=300000", max_message_bytes = 65536, name = "ticker" }"#
            try dir.write("pipeline.lua", """
            local feed = \(source)
            network { { feed, sink.file { path = "out.jsonl" } } }
            """)
            // On a build without the limit the source reconnects for minutes: killed after 60 s.
            let result = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, killAfter: 60)
            #expect(result.exitCode == 1, "\(result.stderr)")
            let setting = kind == "sse" ? "max_event_bytes" : "max_message_bytes"
            #expect(result.stderr.contains("\(setting) (65536 bytes)"), "\(result.stderr)")
            #expect(result.stderr.contains("ticker"), "the error names the node: \(result.stderr)")
            #expect(!result.stderr.contains("reconnecting"), "the server would send it again: \(result.stderr)")
        }
    }
}
