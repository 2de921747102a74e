import Foundation

/// A sink whose output is segments (`sink.file`): records go through a `RecordEncoder` into
/// segments a `SegmentStore` makes (local files; tomorrow object storage), which readers see only
/// once published. Without rotation the output is one segment, published when the run succeeds (on
/// failure the previous output is intact); with `rotate` it is a series (`SegmentRotation`), each
/// published once a committed checkpoint covers it. A checkpoint's token says how far the
/// unfinished segment goes, so that a resumed run continues it.
final class SegmentedSink: SinkRuntime {
    let stats: NodeStats
    private let spec: NodeSpec
    private let loop: LuaRecordLoop
    private let encoder: RecordEncoder
    private let output: Output
    /// A checkpointed run prepared the rotation already (`resume`).
    private var rotationPrepared = false
    private var records = 0
    /// Resuming a segment that already holds the encoding's beginning.
    private var resumedSegment = false
    /// Bytes of the segment an earlier attempt of the run wrote.
    private var resumedLength: Int64 = 0

    /// One segment (published at the end, after the target's content when `append`), or a series.
    enum Output {
        case single(SegmentWriter, append: Bool)
        case rotating(SegmentRotation)
    }

    /// `loop` checks raw records in the sink's Lua state (which the encoder may use too); the output
    /// is one segment published at `target`, or with `rotate` a series named by `target` as a pattern.
    init(spec: NodeSpec, stats: NodeStats, loop: LuaRecordLoop, encoder: RecordEncoder, store: SegmentStore,
         target: String, append: Bool, rotate: (every: Double?, bytes: Int64?)?) {
        self.spec = spec
        self.stats = stats
        self.loop = loop
        self.encoder = encoder
        output = rotate.map { .rotating(SegmentRotation(pattern: target, every: $0.every, bytes: $0.bytes, store: store, encoder: encoder)) }
            ?? .single(store.segment(target), append: append)
    }

    /// Continues the unfinished output of an unfinished run, cut back to what the token covers
    /// (or starts it again when `token` is nil).
    func resume(from token: SinkToken?, run: String) throws {
        switch output {
        case .rotating(let rotation):
            rotationPrepared = true
            guard let token else { return try guarded { try rotation.startAfresh(resumable: true) } }
            let progress = try decodeProgress(token)
            guard progress.pattern == rotation.pattern else {
                throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                    "the unfinished run was writing \(progress.pattern ?? progress.path), this one writes \(rotation.pattern); run with --full-refresh to start over")
            }
            encoder.restore(columns: progress.columns)
            try guarded {
                try rotation.resume(finished: progress.finished ?? [], current: progress.path.isEmpty ? nil : progress.path, length: progress.length)
            }
            records = token.records
        case .single(let segment, _):
            guard let token else { return segment.resume(at: nil) }
            let progress = try decodeProgress(token)
            guard progress.path == segment.target else {
                throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                    "the unfinished run was writing \(progress.path), this one writes \(segment.target); run with --full-refresh to start over")
            }
            segment.resume(at: progress.length)
            resumedLength = progress.length
            resumedSegment = progress.length > 0
            records = token.records
            encoder.restore(columns: progress.columns)
        }
    }

    /// The progress in a token this sink returned.
    private func decodeProgress(_ token: SinkToken) throws -> SegmentProgress {
        do { return try JSONDecoder().decode(SegmentProgress.self, from: Data((token.data ?? "").utf8)) } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "resume",
                                "the state store's progress of this sink is not a file's; run with --full-refresh to start over")
        }
    }

    func sampleResources() {
        let written: Int64
        switch output {
        case .rotating(let rotation): written = rotation.written
        case .single(let segment, _): written = segment.size - resumedLength
        }
        stats.update { $0.bytesWritten = Int(written) }
    }

    func open() throws {
        loop.lua.claim()
        switch output {
        case .rotating(let rotation):
            if !rotationPrepared { try guarded { try rotation.startAfresh(resumable: false) } }
        case .single(let segment, let append):
            do { try segment.open() } catch { throw PipelineError(.runtime, node: spec.name, phase: "write", "\(error)") }
            if resumedSegment { return encoder.resume(segment) }
            if append, let head = try copyExistingOutput(segment), try appending(to: segment, after: head) { return }
            try guarded { try encoder.begin(segment) }
        }
    }

    /// `mode = "append"`: the target's current content goes first; returns its first bytes (nil:
    /// it has none).
    private func copyExistingOutput(_ segment: SegmentWriter) throws -> [UInt8]? {
        do { return try segment.copyTarget() } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "write", "cannot append to \(segment.target): \(error)")
        }
    }

    /// Whether the encoder continues the existing content (see `RecordEncoder.append(after:)`).
    private func appending(to segment: SegmentWriter, after head: [UInt8]) throws -> Bool {
        do { return try encoder.append(after: head) } catch let error as FileConfigError {
            throw PipelineError(.config, node: spec.name, phase: "write", "cannot append to \(segment.target): \(error)")
        }
    }

    /// A checkpoint is an fsync: one fsync makes several checkpoints durable when the sink is behind.
    var defersCheckpoints: Bool { true }

    func pendingToken() throws -> SinkToken? { token }

    func checkpoint() throws -> SinkToken? {
        try guarded {
            switch output {
            case .rotating(let rotation): try rotation.flush()
            case .single(let segment, _): try segment.flush()
            }
        }
        return token
    }

    /// Rotating: the finished segments the committed checkpoint covers are published.
    func committed(_ token: SinkToken) throws {
        guard case .rotating(let rotation) = output else { return }
        let finished = try decodeProgress(token).finished ?? []
        try guarded { try rotation.publish(finished) }
    }

    /// Encodes the tokens (one per checkpoint: made once).
    private let tokenEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// How far the output goes: what a checkpoint records.
    private var token: SinkToken {
        let progress: SegmentProgress
        switch output {
        case .rotating(let rotation):
            progress = SegmentProgress(path: rotation.position?.target ?? "", length: rotation.position?.size ?? 0,
                                       columns: encoder.columns, pattern: rotation.pattern, finished: rotation.finished)
        case .single(let segment, _):
            progress = SegmentProgress(path: segment.target, length: segment.size, columns: encoder.columns)
        }
        return SinkToken(node: spec.name, records: records, data: String(decoding: try! tokenEncoder.encode(progress), as: UTF8.self))
    }

    func consume(_ input: RecordBatch) throws {
        let batch = try loop.validated(input)
        stats.update { $0.recordsIn += batch.records }
        try guarded {
            switch output {
            case .rotating(let rotation):
                records += try encoder.encode(batch, into: rotation.segment)
                try rotation.rotateIfFull()
            case .single(let segment, _):
                records += try encoder.encode(batch) { segment }
            }
        }
    }

    func finish() throws -> SinkToken? {
        try guarded {
            switch output {
            case .rotating(let rotation):
                try rotation.finish()
            case .single(let segment, _):
                try encoder.end(segment)
                try segment.finish()
            }
        }
        return token
    }

    func publish() throws {
        try guarded {
            switch output {
            case .rotating(let rotation): try rotation.publish(rotation.finished)
            case .single(let segment, _): try segment.commit()
            }
        }
    }

    /// The finished output was made durable unpublished and the run committed; a crash came before
    /// publishing (or after it: then there is nothing left to do).
    func completePublish(_ token: SinkToken) throws {
        switch output {
        case .rotating(let rotation):
            let finished = try decodeProgress(token).finished ?? []
            try guarded { try rotation.publish(finished) }
        case .single(let segment, _):
            try guarded { try segment.commitIfFinished() }
        }
    }

    func abort(keepingProgress: Bool) {
        switch output {
        case .rotating(let rotation): rotation.abort(keepingProgress: keepingProgress)
        case .single(let segment, _): segment.abort(keepingProgress: keepingProgress)
        }
    }

    private func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as PipelineError { throw error } catch {
            throw PipelineError(.runtime, node: spec.name, phase: "write", "\(error)")
        }
    }
}
