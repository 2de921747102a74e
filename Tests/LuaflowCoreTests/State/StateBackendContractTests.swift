import Foundation
import Testing
@testable import LuaflowCore

/// What every ``StateBackend`` must do, run against each kind of backend: a new backend passes
/// by adding its case to `StateBackendKind.all`.
@Suite struct StateBackendContractTests {
    static let backends = StateBackendKind.all

    @Test(arguments: backends) func streamsRoundTrip(_ kind: StateBackendKind) throws {
        let (clock, open) = try kind.storage()
        let store = try open("orders")
        let lease = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 60))
        let events = StreamState(node: "src", stream: "events", pagination: #"{"page":3}"#, skip: 0, exhausted: false, runCursor: "1",
                                 cursor: "9", records: 20, lastRun: "2026-01-01T00:00:00.000Z",
                                 partitions: [PartitionState(key: "eu", partition: #"{"key":"eu"}"#, pagination: #"{"page":2}"#, records: 5),
                                              PartitionState(key: "us", partition: #"{"key":"us"}"#, exhausted: true, cursor: "7", records: 15)])
        let users = StreamState(node: "api", stream: "", skip: 40, exhausted: true, records: 40)
        try store.commit(StateCommit(streams: [StreamUpdate(from: nil, to: events), StreamUpdate(from: nil, to: users)]), lease: lease)
        var stamped = events
        stamped.updatedAt = WallClock.timestamp(milliseconds: clock.now)
        #expect(try store.stream(node: "src", stream: "events") == stamped)
        #expect(try store.streams().map(\.node) == ["api", "src"], "by node, then stream")
        #expect(try store.stream(node: "src", stream: "") == nil)
        #expect(try open("refunds").streams().isEmpty, "another pipeline's state is apart")
        #expect(try store.pipelines() == ["orders"])
    }

    @Test(arguments: backends) func aPartitionIsUpsertedByItsKey(_ kind: StateBackendKind) throws {
        let store = try kind.storage().open("orders")
        let lease = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 60))
        let keys = ["a", "b", "c", "d"]
        let first = StreamState(node: "src", partitions: keys.map { PartitionState(key: $0, partition: #"{"key":"\#($0)"}"#) })
        try store.commit(StateCommit(streams: [StreamUpdate(from: nil, to: first)]), lease: lease)
        var second = first
        second.partitions[1].pagination = #"{"page":2}"#
        second.partitions[1].records = 10
        let update = StreamUpdate(from: first, to: second)
        #expect(update.partitions == [StreamUpdate.Partition(ordinal: 1, state: second.partitions[1])], "only the partition that moved")
        try store.commit(StateCommit(streams: [update]), lease: lease)
        #expect(try store.stream(node: "src", stream: "")?.partitions == second.partitions, "the others stay as they were")
        var third = second
        third.partitions.remove(at: 2)
        try store.commit(StateCommit(streams: [StreamUpdate(from: second, to: third)]), lease: lease)
        #expect(try store.stream(node: "src", stream: "")?.partitions.map(\.key) == ["a", "b", "d"], "a partition no longer listed is forgotten")
    }

    @Test(arguments: backends) func sinkTokens(_ kind: StateBackendKind) throws {
        let store = try kind.storage().open("orders")
        let lease = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 60))
        try store.commit(StateCommit(sinks: [SinkToken(node: "out", records: 3, data: #"{"load":7}"#), SinkToken(node: "db", records: 2)]),
                         lease: lease)
        #expect(try store.sinkTokens() == [SinkToken(node: "db", records: 2), SinkToken(node: "out", records: 3, data: #"{"load":7}"#)])
        try store.commit(StateCommit(sinks: [SinkToken(node: "out", records: 5, data: #"{"load":8}"#)]), lease: lease)
        #expect(try store.sinkToken(node: "out") == SinkToken(node: "out", records: 5, data: #"{"load":8}"#))
        #expect(try store.sinkToken(node: "db") != nil, "a commit replaces the tokens it carries only")
        try store.commit(StateCommit(sinks: [SinkToken(node: "db", records: 4)], clearSinks: true), lease: lease)
        #expect(try store.sinkTokens() == [SinkToken(node: "db", records: 4)])
        try store.reset(node: "db", lease: lease)
        #expect(try store.sinkTokens().isEmpty)
    }

    @Test(arguments: backends) func aRunIsKeptByItsIdAndOwner(_ kind: StateBackendKind) throws {
        let (clock, open) = try kind.storage()
        let store = try open("orders")
        #expect(try store.lastRun() == nil)
        let lease = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 60))
        try store.markRunning(id: "orders@1", startedAt: "2026-01-01T00:00:00.000Z", lease: lease)
        #expect(try store.lastRun() == PipelineRun(id: "orders@1", owner: "a", status: .running, startedAt: "2026-01-01T00:00:00.000Z"))
        clock.advance(seconds: 1)
        try store.markRun(id: "orders@1", .failed, lease: lease)
        #expect(try store.lastRun() == PipelineRun(id: "orders@1", owner: "a", status: .failed, startedAt: "2026-01-01T00:00:00.000Z",
                                                   finishedAt: WallClock.timestamp(milliseconds: clock.now)))
        try store.releaseLease(lease)
        let other = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 60))
        try store.markRunning(id: "orders@1", startedAt: "2026-01-01T00:00:00.000Z", lease: other)
        #expect(try store.lastRun()?.owner == "b", "a resumed run names its new owner")
        try store.commit(StateCommit(run: ("orders@1", .succeeded)), lease: other)
        #expect(try store.lastRun()?.status == .succeeded)
        try store.markRunning(id: "orders@2", startedAt: "2026-01-02T00:00:00.000Z", lease: other)
        #expect(try store.lastRun()?.id == "orders@2", "a new run replaces the last one")
        try store.reset(node: nil, lease: other)
        #expect(try store.lastRun() == nil)
    }

    @Test(arguments: backends) func historyIsNewestFirstAndBounded(_ kind: StateBackendKind) throws {
        let store = try kind.storage().open("orders")
        let first = try store.beginAttempt(runStartedAt: "r1", startedAt: "s1", resumedFrom: [:])
        let node = RunRecord.Node(node: "src", kind: "source", recordsIn: 0, recordsOut: 9, errors: 0, resumed: nil)
        try store.endAttempt(first, outcome: .failed, seconds: 1.5, nodes: [node], requests: 3, retries: 1)
        _ = try store.beginAttempt(runStartedAt: "r1", startedAt: "s2", resumedFrom: ["src": "at page 2"])
        let history = try store.history(limit: 5)
        #expect(history.map(\.startedAt) == ["s2", "s1"])
        #expect(history[0].outcome == "running" && history[0].resumedFrom == ["src": "at page 2"])
        #expect(history[1].outcome == "failed" && history[1].nodes == [node] && history[1].requests == 3 && history[1].retries == 1)
        #expect(try store.history(limit: 1).map(\.startedAt) == ["s2"])
        for i in 0..<RunRecord.kept { _ = try store.beginAttempt(runStartedAt: "r2", startedAt: "t\(i)", resumedFrom: [:]) }
        let kept = try store.history(limit: RunRecord.kept + 10)
        #expect(kept.count == RunRecord.kept && kept.first?.startedAt == "t\(RunRecord.kept - 1)", "the oldest attempts are dropped")
    }

    @Test(arguments: backends) func leasesExpireAndAreRenewedAndReleased(_ kind: StateBackendKind) throws {
        let (clock, open) = try kind.storage()
        let store = try open("orders")
        let a = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 10))
        #expect(a.expiresAt == clock.now + 10_000)
        #expect(try store.acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 10) == nil, "held by another owner")
        #expect(try store.acquireLease(scope: "shard 2", owner: "b", ttl: 10) != nil, "another scope is free")
        #expect(try open("refunds").acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 10) != nil, "another pipeline's lease")
        clock.advance(seconds: 8)
        let renewed = try store.renewLease(a, ttl: 10)
        #expect(renewed.token == a.token && renewed.expiresAt == clock.now + 10_000)
        clock.advance(seconds: 8)
        #expect(try store.acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 10) == nil, "renewed: not expired yet")
        let again = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 10), "its own owner takes it over")
        #expect(again.token > a.token)
        clock.advance(seconds: 11)
        let b = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 10), "expired: another owner takes it")
        #expect(b.token > again.token)
        #expect(throws: PipelineError.self) { try store.renewLease(again, ttl: 10) }
        try store.releaseLease(again)
        #expect(try store.acquireLease(scope: Lease.pipelineScope, owner: "c", ttl: 10) == nil, "a stale lease releases nothing")
        try store.releaseLease(b)
        let c = try #require(try store.acquireLease(scope: Lease.pipelineScope, owner: "c", ttl: 10), "released: free at once")
        #expect(c.token > b.token)
    }

    @Test(arguments: backends) func aStaleLeaseCommitsNothing(_ kind: StateBackendKind) throws {
        let (clock, open) = try kind.storage()
        let a = try open("orders")
        let b = try open("orders")
        let leaseA = try #require(try a.acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 10))
        try a.markRunning(id: "orders@1", startedAt: "2026-01-01T00:00:00.000Z", lease: leaseA)
        let committed = StreamState(node: "src", cursor: "5", records: 5, partitions: [PartitionState(key: "eu", partition: "{}", records: 5)])
        try a.commit(StateCommit(streams: [StreamUpdate(from: nil, to: committed)], sinks: [SinkToken(node: "out", records: 5)]), lease: leaseA)
        clock.advance(seconds: 11)
        let leaseB = try #require(try b.acquireLease(scope: Lease.pipelineScope, owner: "b", ttl: 10))
        let before = try a.streams()
        var later = committed
        later.records = 9
        later.partitions[0].records = 9
        let error = #expect(throws: PipelineError.self) {
            try a.commit(StateCommit(streams: [StreamUpdate(from: committed, to: later)], sinks: [SinkToken(node: "out", records: 9)],
                                     clearSinks: true, run: ("orders@1", .succeeded)), lease: leaseA)
        }
        #expect(error?.node == "state" && error?.message.contains("stale") == true && error?.message.contains("issued to b") == true)
        #expect(throws: PipelineError.self) { try a.markRun(id: "orders@1", .failed, lease: leaseA) }
        #expect(throws: PipelineError.self) { try a.markRunning(id: "orders@2", startedAt: "2026-01-02T00:00:00.000Z", lease: leaseA) }
        #expect(throws: PipelineError.self) { try a.reset(node: nil, lease: leaseA) }
        #expect(try b.streams() == before, "nothing changed")
        #expect(try b.sinkTokens() == [SinkToken(node: "out", records: 5)])
        #expect(try b.lastRun()?.status == .running && b.lastRun()?.id == "orders@1")
        try b.commit(StateCommit(streams: [StreamUpdate(from: committed, to: later)]), lease: leaseB)
        #expect(try a.stream(node: "src", stream: "")?.records == 9, "the new holder commits")
    }

    @Test(arguments: backends) func writersOnTwoThreadsLoseNoCommit(_ kind: StateBackendKind) throws {
        let (_, open) = try kind.storage()
        let stores = [try open("orders"), try open("orders")]
        let lease = try #require(try stores[0].acquireLease(scope: Lease.pipelineScope, owner: "a", ttl: 60))
        let commits = 100
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            let node = "src\(writer)"
            var previous: StreamState?
            for i in 1...commits {
                let state = StreamState(node: node, records: i, partitions: (0..<10).map {
                    PartitionState(key: "p\($0)", partition: "{}", records: $0 == i % 10 ? i : previous?.partitions[$0].records ?? 0)
                })
                do {
                    try stores[writer].commit(StateCommit(streams: [StreamUpdate(from: previous, to: state)],
                                                          sinks: [SinkToken(node: "out\(writer)", records: i)]), lease: lease)
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
                previous = state
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        for writer in 0..<2 {
            let stream = try #require(try stores[1 - writer].stream(node: "src\(writer)", stream: ""))
            #expect(stream.records == commits)
            #expect(stream.partitions.map(\.records) == (0..<10).map { $0 == 0 ? commits : commits - 10 + $0 }, "each partition's last write")
            #expect(try stores[0].sinkToken(node: "out\(writer)")?.records == commits)
        }
    }
}
