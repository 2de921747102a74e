import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// SIGINT and SIGTERM stop a run promptly whatever it is doing (waiting out a retry, posting to
/// a slow API, running Lua), publish nothing, and leave state the next run resumes from: after
/// any number of signals at random moments, the last run's outputs hold every record once.
@Suite(.serialized) struct SignalTests {
    /// A generous bound for "within a second": the test machine may be busy with other tests.
    static let prompt = 3.0

    /// A source blocked in a read that no signal ends (a FIFO nobody writes to) keeps the run from
    /// stopping; the second signal exits at once and says so on its own line.
    @Test func aSecondSignalExitsAtOnceWithANotice() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let fifo = dir.appendingPathComponent("in.jsonl").path
            #expect(mkfifo(fifo, 0o644) == 0)
            let writer = open(fifo, O_RDWR) // keeps the FIFO open, so the reader blocks instead of seeing its end
            defer { close(writer) }
            _ = "{\"id\":1}\n".withCString { write(writer, $0, 9) }
            try dir.write("pipeline.lua", """
            network { { source.file { path = "in.jsonl" },
                        transform(function(r) io.open("started", "w"):close() return r end),
                        sink.file { path = "out.jsonl" } } }
            """)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: LuaflowBinary.path)
            process.arguments = ["run", "pipeline.lua"]
            process.currentDirectoryURL = dir
            let stderr = Pipe()
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            LuaflowBinary.waitFor(dir.appendingPathComponent("started"), while: process)
            kill(process.processIdentifier, SIGINT)
            Thread.sleep(forTimeInterval: 0.5)
            #expect(process.isRunning, "the first signal cannot end a read from a FIFO")
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            let text = String(decoding: ChildOutput.readToEnd(stderr.fileHandleForReading), as: UTF8.self)
            #expect(process.terminationStatus == 130)
            let notice = "second SIGINT: exiting at once; progress up to the last checkpoint is kept for the next run\n"
            #expect(text == notice || text.hasSuffix("\n" + notice), "the notice is the last line, on its own: \(text)")
            #expect(!dir.exists("out.jsonl"))
        }
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func stopsDuringARetrySleep(signal: Int32) async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let feed = server.installFaultFeed(path: "/feed", total: 50, perPage: 10)
            feed.inject(.status(503, retryAfter: "30"), page: 2, .always)
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            network { { source.http { name = "feed", base_url = "\(server.baseURL)", path = "/feed", records_path = "data",
                                      retry = { max_attempts = 5, max_delay = 60 },
                                      paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } },
                        transform(function(r) if r.id == 1 then io.open("started", "w"):close() end return r end),
                        sink.file { path = "out.jsonl" } } }
            """)
            let stopped = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir, signal: (signal, 0.5), startedFile: "started")
            #expect(stopped.exitCode == 128 + signal, "\(stopped.stderr)")
            #expect(try #require(stopped.exitedAfterSignal) < Self.prompt, "a 30 s Retry-After must not delay the stop")
            #expect(stopped.stderr.contains("interrupted by \(signal == SIGTERM ? "SIGTERM" : "SIGINT")"), "\(stopped.stderr)")
            #expect(!dir.exists("out.jsonl"))
            let state = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir)
            #expect(state.stdout.contains(#""status":"interrupted""#), "\(state.stdout)")
            feed.heal()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...50))
        }
    }

    @Test func stopsASlowHTTPSinkWithoutDrainingItsQueue() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let ingest = server.installFaultIngest(path: "/ingest")
            ingest.inject(.slowBody(0.03), fromRequest: 1, .always)
            let dir = try LuaflowBinary.workspace()
            try dir.write("in.jsonl", (1...2000).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
            try dir.write("pipeline.lua", """
            network { { source.file { path = "in.jsonl", checkpoint_every = 50 },
                        transform(function(r) if r.id == 1 then io.open("started", "w"):close() end return r end),
                        sink.http { name = "api", url = "\(server.baseURL)/ingest", batch_size = 5 } } }
            """)
            let stopped = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, signal: (SIGTERM, 0.5), startedFile: "started")
            #expect(stopped.exitCode == 143, "\(stopped.stderr)")
            #expect(try #require(stopped.exitedAfterSignal) < Self.prompt, "12 s of queued POSTs must not be drained")
            ingest.heal()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(ingest.acceptedIDs == Array(1...2000))
        }
    }

    @Test func aSecondSignalExitsAtOnceAndTheRunStillResumes() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            try Self.writeSlowFilePipeline(in: dir, fanOut: false)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: LuaflowBinary.path)
            process.arguments = ["run", "pipeline.lua", "-q"]
            process.currentDirectoryURL = dir
            process.standardError = FileHandle.nullDevice
            try process.run()
            LuaflowBinary.waitFor(dir.appendingPathComponent("started"), while: process)
            Thread.sleep(forTimeInterval: 0.3)
            kill(process.processIdentifier, SIGINT)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            #expect(process.terminationStatus == 130)
            #expect(!dir.exists("out.jsonl"))
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...Self.slowRecords))
        }
    }

    enum Scenario: String, CaseIterable, Sendable { case http, file, fanOut }

    /// Seeded random signals (SIGINT, SIGTERM or SIGKILL, at 0.05-1.2 s) against the same pipeline,
    /// run after run, then a run to the end: every record exactly once in every output.
    @Test(arguments: Scenario.allCases)
    func signalsAtRandomMomentsLoseAndDuplicateNothing(scenario: Scenario) async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            let total = scenario == .http ? 300 : Self.slowRecords
            switch scenario {
            case .http:
                server.route("/slow") { request in
                    let offset = request.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
                    let next: Any = offset + 10 < total ? "c\(offset + 10)" : NSNull()
                    return TestHTTPResponse.json(["data": TestDataset.records(from: offset, count: 10, total: total), "next": next])
                        .delayed(by: 0.03)
                }
                try dir.write("pipeline.lua", """
                network { { source.http { name = "feed", base_url = "\(server.baseURL)", path = "/slow", records_path = "data",
                                          checkpoint_every = 2, paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } },
                            sink.file { path = "out.jsonl" } } }
                """)
            case .file, .fanOut:
                try Self.writeSlowFilePipeline(in: dir, fanOut: scenario == .fanOut)
            }
            var random = SeededGenerator(seed: 20261130 + UInt64(scenario.rawValue.count))
            for _ in 0..<9 {
                let signal = [SIGINT, SIGTERM, SIGKILL].randomElement(using: &random)!
                let result = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir,
                                                   signal: (signal, Double.random(in: 0.05...1.2, using: &random)))
                // A process killed by SIGKILL reports the signal's number as its status; so does one
                // a signal reached before it installed its handler (a busy machine starts slowly).
                #expect([0, signal, 128 + signal].contains(result.exitCode), "\(result.stderr)")
                if let after = result.exitedAfterSignal { #expect(after < Self.prompt) }
            }
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...total))
            if scenario == .fanOut { #expect(try dir.ids(in: "copy.jsonl") == Array(1...total)) }
        }
    }

    static let slowRecords = 3000

    /// A file → Lua transform (about 0.5 ms a record) → file pipeline, checkpointed every 200
    /// records; with `fanOut` the transform feeds a second sink too. The transform's init() writes
    /// `started` once the run is under way.
    static func writeSlowFilePipeline(in dir: URL, fanOut: Bool) throws {
        try dir.write("in.jsonl", (1...slowRecords).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("slow.lua", """
        function init() io.open("started", "w"):close() end
        function run(r)
          local t = os.clock() + 0.0005
          while os.clock() < t do end
          return r
        end
        """)
        let copy = fanOut ? #", { work, sink.file { path = "copy.jsonl" } }"# : ""
        try dir.write("pipeline.lua", """
        local input = source.file { path = "in.jsonl", checkpoint_every = 200 }
        local work = transform("slow.lua")
        network { { input, work }, { work, sink.file { path = "out.jsonl" } }\(copy) }
        """)
    }
}
