import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// `source.sse` and `source.websocket` end to end: `max_items` and `lifetime` end a live stream
/// with exit 0 and the next run continues after the last event committed; `kill -9` at random
/// moments and SIGTERM while waiting for an event lose and repeat nothing.
@Suite(.serialized) struct StreamingSourceTests {
    /// The `n` of each record of `file` (`data.n` for an event, `n` for a WebSocket message).
    static func numbers(_ dir: URL, _ file: String) throws -> [Int] {
        try dir.read(file).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return ((object["data"] as? [String: Any])?["n"] ?? object["n"]) as? Int ?? -1
        }
    }

    @Test func maxItemsEndsAnEventStreamWithExit0AndTheNextRunContinues() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.sse { name = "feed", url = "\(server.baseURL)/sse/feed?total=20&per_connection=5", max_items = 8 },
                        sink.file { path = "out.jsonl" } } }
            """)
            let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == Array(1...8))
            #expect(try dir.read("out.jsonl").hasPrefix(#"{"event":"message","id":"1","data":{"n":1}}"#))
            #expect(try dir.read("out.jsonl").contains(#"{"event":"tick","id":"3","data":{"n":3, "tick":true}}"#))
            let second = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(second.exitCode == 0, "\(second.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == Array(9...16))
            // Each reconnect names the last event received (a drop racing a connection's last event
            // costs one more reconnect; one before any event arrived names none); the second run
            // starts from the committed id 8.
            let sent = server.requests(path: "/sse/feed").map { $0.header("Last-Event-ID") }
            let firstNamed = sent.firstIndex { $0 != nil } ?? sent.count
            let resumedFrom = sent[firstNamed...].compactMap { $0.flatMap { Int($0) } }
            #expect(sent.first == .some(nil) && resumedFrom.count == sent.count - firstNamed && resumedFrom.contains(8), "\(sent)")
            #expect(resumedFrom == resumedFrom.sorted(), "\(sent)")
        }
    }

    @Test func lifetimeEndsAQuietStreamWithExit0() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.sse { url = "\(server.baseURL)/sse/feed?total=3", lifetime = 0.8, events = { "message" } },
                        sink.file { path = "out.jsonl" } } }
            """)
            let started = Date()
            let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == [1, 2], "the tick event is left out")
            #expect(Date().timeIntervalSince(started) < 8)
        }
    }

    @Test func sigkillAtRandomMomentsLosesAndRepeatsNoEvent() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.sse { name = "feed", url = "\(server.baseURL)/sse/feed?total=300&per_connection=40&interval=0.02&end=done" },
                        sink.file { path = "out.jsonl" } } }
            """)
            // The feed lasts 6 s; the killed runs together less, so none of them gets to its end
            // (a run that did would publish its part, and the next would start after it).
            let killed = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 6, seed: 20261130,
                                                          delays: 0.3...0.8)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            let numbers = try Self.numbers(dir, "out.jsonl")
            #expect(numbers == Array(1...300), "every event exactly once, in order: \(numbers.count) records, \(Set(numbers).count) distinct, \(numbers.prefix(20))")
            #expect(killed >= 4, "most kills must land inside a run (\(killed) did)")
            let resumed = server.requests(path: "/sse/feed").filter { $0.header("Last-Event-ID") != nil }.count
            #expect(resumed >= 6, "runs resumed from the committed id")
        }
    }

    @Test func sigtermWhileWaitingForAnEventExits143PromptlyAndTheNextRunResumes() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.sse { name = "feed", url = "\(server.baseURL)/sse/feed?total=5" }, sink.file { path = "out.jsonl" } } }
            """)
            let stopped = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, signal: (SIGTERM, 1.5), killAfter: 20)
            #expect(stopped.exitCode == 143, "\(stopped.stderr)")
            #expect((stopped.exitedAfterSignal ?? 99) < SignalTests.prompt)
            #expect(!dir.exists("out.jsonl"))
            try dir.write("pipeline.lua", """
            network { { source.sse { name = "feed", url = "\(server.baseURL)/sse/feed?total=8&end=done" }, sink.file { path = "out.jsonl" } } }
            """)
            let resumed = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(resumed.exitCode == 0, "\(resumed.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == Array(1...8))
            #expect(server.requests(path: "/sse/feed")[1].header("Last-Event-ID") == "5")
        }
    }

    @Test func aWebSocketResumesFromItsCursorAcrossDropsAndRuns() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            let url = server.baseURL.replacingOccurrences(of: "http://", with: "ws://")
            func pipeline(_ total: Int, _ max: Int) throws {
                try dir.write("pipeline.lua", """
                network { { source.websocket { name = "jet", url = "\(url)/ws/feed?total=\(total)&per_connection=4", max_items = \(max),
                                               subscribe = { { op = "subscribe" } }, cursor = { field = "time_us" } },
                            sink.file { path = "out.jsonl" } } }
                """)
            }
            try pipeline(10, 10)
            let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == Array(1...10))
            try pipeline(13, 3)
            let second = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(second.exitCode == 0, "\(second.stderr)")
            #expect(try Self.numbers(dir, "out.jsonl") == [11, 12, 13])
            #expect(server.requests(path: "/ws/feed").map { $0.queryValue("cursor") } == [nil, "4000", "8000", "10000"])
            #expect(server.hits(TestHTTPServer.webSocketMessageKey(#"{"op":"subscribe"}"#)) == 4)
        }
    }

    @Test func sigtermWhileAWebSocketWaitsExits143Promptly() async throws {
        try await onThread {
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            let url = server.baseURL.replacingOccurrences(of: "http://", with: "ws://")
            try dir.write("pipeline.lua", """
            network { { source.websocket { url = "\(url)/ws/feed?total=2" }, sink.file { path = "out.jsonl" } } }
            """)
            let stopped = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, signal: (SIGTERM, 1.5), killAfter: 20)
            #expect(stopped.exitCode == 143, "\(stopped.stderr)")
            #expect((stopped.exitedAfterSignal ?? 99) < SignalTests.prompt)
        }
    }
}
