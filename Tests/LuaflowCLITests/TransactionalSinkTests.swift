import Foundation
import LuaflowTesting
import Testing
import TestSupport

/// The sink contract end to end, through a Lua sink that behaves like a database with its own
/// transactions (``LedgerSink``): `flush()` commits a load and returns its id as the token,
/// `commit(token)` follows the state store's commit, and a resumed `init(token)` discards the
/// loads the store never committed. Whatever step fails, and wherever a kill lands, the ledger
/// ends with every record exactly once, and `commit` is never told about a load that is undone.
@Suite(.serialized) struct TransactionalSinkTests {
    static let total = 200

    @Test(arguments: ["init:1", "write:3", "write:15", "flush:1", "flush:4", "commit:2", "finalize:1"])
    func aFailingStepFailsTheRunAndTheRerunCompletesExactlyOnce(step: String) async throws {
        try await onThread {
            let dir = try Self.workspace()
            let failed = try LuaflowBinary.run(["run", "pipeline.lua", "-q", "--set", "ledger.fail_at=\(step)"], in: dir)
            #expect(failed.exitCode == 1, "\(step): \(failed.stderr)")
            #expect(failed.stderr.contains("node 'ledger'") && failed.stderr.contains("injected failure"), "\(failed.stderr)")
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(step): \(rerun.stderr)")
            #expect(try LedgerSink.replay(dir) == Array(1...Self.total), "\(step)")
        }
    }

    @Test func sigkillAtRandomMomentsKeepsEveryRecordOnce() async throws {
        try await onThread {
            let server = try TestHTTPServer.start(standardRoutes: false)
            defer { server.stop() }
            let total = 600
            server.route("/slow") { request in
                let offset = request.queryValue("cursor").flatMap(Int.init) ?? 0
                let records = TestDataset.records(from: offset, count: 20, total: total)
                let next = offset + records.count
                return TestHTTPResponse.json(["data": records, "next": next < total ? "\(next)" as Any : NSNull()]).delayed(by: 0.04)
            }
            let dir = try Self.workspace(source: """
                source.http { name = "api", checkpoint_every = 3, base_url = "\(server.baseURL)", path = "/slow", records_path = "data",
                              paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "next" } }
                """)
            let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 15, seed: 20261130,
                                                                    delays: 0.05...0.9)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            #expect(try LedgerSink.replay(dir) == Array(1...total))
            #expect(killedMidRun >= 8, "most kills must land inside a run to test anything (\(killedMidRun) did)")
        }
    }

    /// Killed after the final state commit, inside the ledger's `commit(token)`, before the file
    /// sink published: the next run finishes both publishes from their committed tokens before
    /// anything else, even though that run then fails.
    @Test func aKillWhilePublishingIsFinishedByTheNextRun() async throws {
        try await onThread {
            let dir = try Self.workspace(alsoToFile: true)
            #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q", "--set", "ledger.hang_in_final_commit=true"],
                                                in: dir, after: 0, startedFile: "hanging"))
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out.jsonl").path))
            let state = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
            #expect(state.stdout.contains("publishing"), "\(state.stdout)")
            try dir.write("in.jsonl", "{not json\n")
            let next = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(next.exitCode == 1, "the new run itself fails on its bad input: \(next.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...Self.total), "the killed run's output was published")
            let ledger = try dir.read("ledger.log").split(separator: "\n")
            #expect(ledger.suffix(2) == ["ACK 10 final", "RESET 0"], "the final commit(token) ran before the new run's init")
        }
    }

    /// A pipeline of `in.jsonl` (or `source`) into the ledger sink, checkpointing every 20 records.
    static func workspace(source: String? = nil, alsoToFile: Bool = false) throws -> URL {
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", (1...total).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("ledger.lua", LedgerSink.script)
        try dir.write("pipeline.lua", """
        local src = \(source ?? #"source.file { path = "in.jsonl", checkpoint_every = 20 }"#)
        network { { src, sink("ledger.lua", { name = "ledger", batch_size = 10, instruction_limit = 0 }) }\(alsoToFile ? #", { src, sink.file { path = "out.jsonl" } }"# : "") }
        """)
        return dir
    }
}
