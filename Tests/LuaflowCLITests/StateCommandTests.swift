import Foundation
import LuaflowCore
import Testing
import TestSupport

/// `luaflow state show/reset`, `--state`, `--full-refresh` and declarative incremental sync.
@Suite(.serialized) struct StateCommandTests {
    /// `/events?since=T`: events 1...total with `updated_at` = 2026-01-01T00:00:<id>Z, those after `since`.
    static func eventsServer(total: @escaping @Sendable () -> Int) throws -> TestHTTPServer {
        let server = try TestHTTPServer.start(standardRoutes: false)
        server.route("/events") { request in
            let since = request.queryValue("since") ?? ""
            let events = (1...total()).map { ["id": $0, "updated_at": String(format: "2026-01-01T00:00:%02dZ", $0)] as [String: Any] }
                .filter { ($0["updated_at"] as! String) > since }
            return .json(["events": events])
        }
        return server
    }

    func pipeline(_ server: TestHTTPServer, lag: Int = 0) -> String {
        """
        network { { source.http { name = "events", base_url = "\(server.baseURL)", path = "/events", records_path = "events",
                                  incremental = { cursor_field = "updated_at", cursor_param = "since",
                                                  initial_value = "2025-12-31T00:00:00Z", lag = \(lag) } },
                    sink.file { path = "out.jsonl" } } }
        """
    }

    @Test func sourceHTTPIncrementalFetchesOnlyNewRecordsWithLag() throws {
        let total = Locked(5)
        let server = try Self.eventsServer { total.withLock { $0 } }
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", pipeline(server, lag: 2))
        #expect(try LuaflowBinary.run(["run", "pipeline.lua"], in: dir).exitCode == 0)
        #expect(try dir.ids(in: "out.jsonl") == [1, 2, 3, 4, 5])
        #expect(server.requests(path: "/events").last?.queryValue("since") == "2025-12-31T00:00:00Z")
        total.withLock { $0 = 8 }
        #expect(try LuaflowBinary.run(["run", "pipeline.lua"], in: dir).exitCode == 0)
        #expect(server.requests(path: "/events").last?.queryValue("since") == "2026-01-01T00:00:03Z", "cursor 00:05 minus a lag of 2 s")
        #expect(try dir.ids(in: "out.jsonl") == [4, 5, 6, 7, 8])

        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(show.exitCode == 0)
        #expect(show.stdout.contains("last run: succeeded"))
        #expect(show.stdout.contains("events") && show.stdout.contains("\"2026-01-01T00:00:08Z\""))
        let json = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let streams = object["streams"] as! [[String: Any]]
        #expect(streams.first?["cursor"] as? String == "2026-01-01T00:00:08Z")
        #expect(streams.first?["records"] as? Int == 10, "5 records in each run")

        #expect(try LuaflowBinary.run(["run", "pipeline.lua", "--full-refresh"], in: dir).exitCode == 0)
        #expect(try dir.ids(in: "out.jsonl") == Array(1...8))
    }

    @Test func resetForgetsANodeOrEverything() throws {
        let server = try Self.eventsServer { 3 }
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", pipeline(server))
        #expect(try LuaflowBinary.run(["run", "pipeline.lua", "--state", "custom/state.db"], in: dir).exitCode == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("custom/state.db").path))
        let unknown = try LuaflowBinary.run(["state", "reset", "pipeline.lua", "nope", "--state", "custom/state.db"], in: dir)
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("no node named 'nope'") && unknown.stderr.contains("events"))
        let reset = try LuaflowBinary.run(["state", "reset", "pipeline.lua", "events", "--state", "custom/state.db"], in: dir)
        #expect(reset.exitCode == 0, "\(reset.stderr)")
        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--state", "custom/state.db", "--json"], in: dir)
        let object = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as! [String: Any]
        #expect((object["streams"] as? [Any])?.isEmpty == true)
        #expect(try LuaflowBinary.run(["state", "reset", "pipeline.lua"], in: dir).exitCode == 0)
    }

    @Test func readingAndResettingTheStateNeedsNoSecrets() throws {
        let dir = try LuaflowBinary.workspace()
        try dir.write("src.lua", """
        schema = { token = { type = "secret", required = true } }
        cursor_field = "id"
        function get(pagination, state)
          if state.cursor ~= nil then return nil end
          return { { id = 1 }, { id = 2 } }, nil
        end
        """)
        try dir.write("pipeline.lua", #"network { { source("src.lua", { token = "env:LF_STATE_TOKEN" }), sink.file { path = "out.jsonl" } } }"#)
        let run = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: ["LF_STATE_TOKEN": "s3cret"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let unset: [String: String?] = ["LF_STATE_TOKEN": nil]
        let runWithout = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, environment: unset)
        #expect(runWithout.exitCode == 2 && runWithout.stderr.contains("environment variable LF_STATE_TOKEN is not set"), "a run needs it")

        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir, environment: unset)
        #expect(show.exitCode == 0, "\(show.stderr)")
        #expect(show.stdout.contains("last run: succeeded"), "\(show.stdout)")
        let row = show.stdout.split(separator: "\n").first { $0.hasPrefix("src ") }
        #expect(row?.split(separator: " ").dropFirst(2).first == "2", "cursor 2: \(show.stdout)")
        let runs = try LuaflowBinary.run(["runs", "pipeline.lua"], in: dir, environment: unset)
        #expect(runs.exitCode == 0, "\(runs.stderr)")
        #expect(runs.stdout.contains("succeeded") && runs.stdout.contains("src 2 out, out.jsonl 2 in"), "\(runs.stdout)")
        let reset = try LuaflowBinary.run(["state", "reset", "pipeline.lua", "src"], in: dir, environment: unset)
        #expect(reset.exitCode == 0, "\(reset.stderr)")
        #expect(reset.stdout.contains("reset the state of node src of pipeline pipeline"), "\(reset.stdout)")
        let after = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir, environment: unset)
        #expect(!after.stdout.split(separator: "\n").contains { $0.hasPrefix("src ") }, "\(after.stdout)")
    }

    @Test func aLimitedRunNeitherReadsNorMovesTheState() throws {
        let server = try Self.eventsServer { 4 }
        defer { server.stop() }
        let dir = try LuaflowBinary.workspace()
        try dir.write("pipeline.lua", pipeline(server))
        #expect(try LuaflowBinary.run(["run", "pipeline.lua", "--limit", "2"], in: dir).exitCode == 0)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".luaflow/state.db").path))
        #expect(try LuaflowBinary.run(["run", "pipeline.lua"], in: dir).exitCode == 0)
        #expect(try dir.ids(in: "out.jsonl") == [1, 2, 3, 4])
    }
}

/// examples/incremental: a run() source following a change log with cursor_field and an append sink.
@Suite struct IncrementalExampleTests {
    @Test func eachRunAppendsOnlyTheNewChanges() throws {
        let dir = try LuaflowBinary.workspace(copying: "incremental")
        #expect(try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir).exitCode == 0)
        #expect(try dir.read("out/changes.jsonl").split(separator: "\n").count == 3)
        let log = dir.appendingPathComponent("data/changes.jsonl")
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        handle.write(Data(#"{"id": 3, "name": "Edsger", "updated_at": "2026-11-04T12:00:00Z"}"#.utf8 + [0x0A]))
        try handle.close()
        let second = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
        #expect(second.exitCode == 0)
        #expect(second.stderr.contains("resuming after 2026-11-03T08:15:00Z"))
        let lines = try dir.read("out/changes.jsonl").split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.last?.contains("Edsger") == true)
        let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
        #expect(show.stdout.contains("\"2026-11-04T12:00:00Z\""))
    }
}
