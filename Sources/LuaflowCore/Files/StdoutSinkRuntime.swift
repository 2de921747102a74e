import Foundation
import LuaBridge

/// `sink.stdout {}`: writes each record as one JSON line to standard output.
final class StdoutSinkRuntime: SinkRuntime {
    let stats: NodeStats
    private let spec: NodeSpec
    private let lua: LuaState
    private let loop: LuaRecordLoop

    init(spec: NodeSpec, pipeline: PipelineSpec, stats: NodeStats) throws {
        self.spec = spec
        self.stats = stats
        lua = try LuaState(instructionLimit: 0)
        loop = LuaRecordLoop(spec: spec, lua: lua, stats: stats)
    }

    func open() throws { lua.claim() }

    func consume(_ input: RecordBatch) throws {
        let batch = try loop.validated(input)
        stats.update { $0.recordsIn += batch.records }
        guard let bytes = batch.bytes else { return }
        var offset = 0
        while offset < batch.length {
            let n = write(STDOUT_FILENO, bytes + offset, batch.length - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw PipelineError(.runtime, node: spec.name, phase: "write", "cannot write to standard output: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    func finish() throws -> SinkToken? { nil }
}
