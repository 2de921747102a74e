import Foundation
import Testing
import TestSupport

/// `sink.http` against an API that fails (``FaultIngest``, which de-duplicates batches by
/// `Idempotency-Key` as a careful API does): every cell ends with each record accepted exactly
/// once, after one run or after a failed run and a rerun. The keys derive from the batch's
/// position in the run, so a batch sent again by a retry or a resumed run is recognised, and a
/// resumed run sends again only what its last checkpoint does not cover.
@Suite struct SinkFaultInjectionTests {
    struct Cell: Sendable, CustomTestStringConvertible {
        var fault: Fault
        var fromRequest: Int
        var duration: FaultDuration
        var completes: Bool
        /// Batches the API may see twice over the whole cell (retries of processed requests, and
        /// what a resumed run sends again).
        var maxReplays: Int
        var testDescription: String { "\(fault) from request \(fromRequest)" }
    }

    static let total = 200

    static let cells: [Cell] = [
        Cell(fault: .status(503), fromRequest: 3, duration: .times(2), completes: true, maxReplays: 0),
        Cell(fault: .status(429, retryAfter: "0"), fromRequest: 3, duration: .times(1), completes: true, maxReplays: 0),
        Cell(fault: .resetBeforeResponse, fromRequest: 3, duration: .times(1), completes: true, maxReplays: 0),
        Cell(fault: .resetAfterProcessing, fromRequest: 3, duration: .times(1), completes: true, maxReplays: 1),
        Cell(fault: .slowBody(0.3), fromRequest: 3, duration: .times(1), completes: true, maxReplays: 0),
        // The checkpoint after record 100 holds: the rerun starts at batch 11 and replays nothing.
        Cell(fault: .status(503), fromRequest: 11, duration: .always, completes: false, maxReplays: 0),
        // Request 5 is processed but its answer lost, twice retried; the rerun sends it once more.
        Cell(fault: .resetAfterProcessing, fromRequest: 5, duration: .always, completes: false, maxReplays: 3),
        Cell(fault: .status(401), fromRequest: 7, duration: .times(1), completes: false, maxReplays: 0),
    ]

    @Test(arguments: cells)
    func sinkUnderFault(cell: Cell) async throws {
        try await onThread { try Self.run(cell) }
    }

    static func run(_ cell: Cell) throws {
        let server = try TestHTTPServer.start(standardRoutes: false)
        defer { server.stop() }
        let ingest = server.installFaultIngest(path: "/ingest")
        let dir = try LuaflowBinary.workspace()
        try dir.write("in.jsonl", (1...total).map { #"{"id":\#($0)}"# }.joined(separator: "\n") + "\n")
        try dir.write("pipeline.lua", """
        network { { source.file { path = "in.jsonl", checkpoint_every = 20 },
                    sink.http { name = "api", url = "\(server.baseURL)/ingest", batch_size = 10,
                                retry = { max_attempts = 3, base_delay = 0.01, max_delay = 0.05 } } } }
        """)
        ingest.inject(cell.fault, fromRequest: cell.fromRequest, cell.duration)
        let first = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
        let context = "\(cell.testDescription): \(first.stderr)"
        if cell.completes {
            #expect(first.exitCode == 0, "\(context)")
        } else {
            #expect(first.exitCode == 1, "\(context)")
            #expect(first.stderr.contains("node 'api'"), "\(context)")
            ingest.heal()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "rerun of \(context): \(rerun.stderr)")
        }
        #expect(ingest.acceptedIDs == Array(1...total), "\(context)")
        #expect(ingest.replays <= cell.maxReplays, "\(ingest.replays) batches sent again (\(context))")
    }
}
