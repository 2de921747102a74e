import Foundation

/// `rotate = { every, bytes }`: a `SegmentedSink`'s output goes to one segment after another,
/// named by a pattern. A segment is finished (its encoding ended, made durable) once it is `every`
/// old or holds `bytes`, and published only when a committed checkpoint covers it: so across a kill
/// each finished segment appears once, complete, and a resumed run publishes what its checkpoint
/// lists, continues the current segment from its checkpointed length and discards the segments
/// begun after that checkpoint.
final class SegmentRotation {
    /// The target with `{time}` (UTC, 20261130T112645Z) or `{seq}` (the segment's number in the run).
    let pattern: String
    private let every: UInt64?
    private let bytes: Int64?
    private let store: SegmentStore
    private let encoder: RecordEncoder
    /// Segments survive a failure for the next run to resume (a checkpointed run).
    private var resumable = false
    private var current: SegmentWriter?
    private var currentStarted: UInt64 = 0
    /// The current segment's size when this run took it over (a resumed segment's length).
    private var currentBase: Int64 = 0
    /// Finished segments not yet published (targets, in order).
    private(set) var finished: [String] = []
    private var sequence = 0
    /// Bytes this run wrote to the segments it finished.
    private var finishedWritten: Int64 = 0

    init(pattern: String, every: Double?, bytes: Int64?, store: SegmentStore, encoder: RecordEncoder) {
        self.pattern = pattern
        self.every = every.map { UInt64($0 * 1e9) }
        self.bytes = bytes
        self.store = store
        self.encoder = encoder
    }

    /// The current segment's target and size (nil: none open).
    var position: (target: String, size: Int64)? { current.map { ($0.target, $0.size) } }

    /// Bytes written by this run, over every segment.
    var written: Int64 { finishedWritten + (current.map { $0.size - currentBase } ?? 0) }

    /// Resumes from a checkpoint's progress (nil: afresh in a checkpointed run): publishes the
    /// segments it covers, reopens its current segment at its length, discards any other
    /// unfinished segment of this pattern (begun after the checkpoint, covered by none).
    func resume(finished covered: [String], current target: String?, length: Int64) throws {
        resumable = true
        for covered in covered { try store.segment(covered).commitIfFinished() }
        for other in try store.unfinished(matching: pattern) where other != target {
            store.segment(other).abort(keepingProgress: false)
        }
        if let target {
            let segment = store.segment(target)
            segment.resume(at: length)
            try segment.open()
            encoder.resume(segment)
            current = segment
            currentStarted = DispatchTime.now().uptimeNanoseconds
            currentBase = length
        }
    }

    /// Starts afresh (no checkpoint covers anything): unfinished segments of this pattern that an
    /// earlier attempt left are discarded.
    func startAfresh(resumable: Bool) throws {
        self.resumable = resumable
        for unfinished in try store.unfinished(matching: pattern) { store.segment(unfinished).abort(keepingProgress: false) }
    }

    /// The segment to write to: the current one, or a new one when it is `every` old or none is open.
    func segment() throws -> SegmentWriter {
        try rotateIfDue()
        return try current ?? begin()
    }

    /// Finishes the current segment once it holds `bytes`.
    func rotateIfFull() throws {
        if let bytes, let current, current.size >= bytes { try finishCurrent() }
    }

    /// Finishes the current segment once it is `every` old.
    func rotateIfDue() throws {
        guard let every, current != nil, DispatchTime.now().uptimeNanoseconds - currentStarted >= every else { return }
        try finishCurrent()
    }

    /// A checkpoint: the current segment's bytes are made durable.
    func flush() throws {
        try rotateIfDue()
        try current?.flush()
    }

    /// The end of the inputs: the current segment is finished too.
    func finish() throws {
        try finishCurrent()
    }

    /// Publishes `targets` (finished segments a committed checkpoint lists), forgetting them.
    func publish(_ targets: [String]) throws {
        for target in targets {
            try store.segment(target).commitIfFinished()
            finished.removeAll { $0 == target }
        }
    }

    /// Discards the unfinished segments (kept when `keepingProgress`: a committed checkpoint covers
    /// part of them and the next run resumes).
    func abort(keepingProgress: Bool) {
        current?.abort(keepingProgress: keepingProgress)
        current = nil
        if !(resumable && keepingProgress) {
            for target in finished { store.segment(target).abort(keepingProgress: false) }
        }
    }

    private func begin() throws -> SegmentWriter {
        sequence += 1
        let segment = store.segment(freeTarget())
        if resumable { segment.resume(at: nil) }
        try segment.open()
        current = segment
        currentStarted = DispatchTime.now().uptimeNanoseconds
        currentBase = 0
        try encoder.begin(segment)
        return segment
    }

    private func finishCurrent() throws {
        guard let segment = current else { return }
        try encoder.end(segment)
        try segment.finish()
        finished.append(segment.target)
        finishedWritten += segment.size - currentBase
        current = nil
    }

    /// The next segment's target: the pattern filled in, with `-N` before the extension when that
    /// target is taken (or finished by this run, unpublished).
    private func freeTarget() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = pattern.replacingOccurrences(of: "{time}", with: formatter.string(from: Date()))
            .replacingOccurrences(of: "{seq}", with: String(format: "%06d", sequence))
        var candidate = base
        var n = 1
        while store.isTaken(candidate) || finished.contains(candidate) {
            n += 1
            let url = URL(fileURLWithPath: base)
            let ext = url.pathExtension
            let stem = url.deletingPathExtension().lastPathComponent
            candidate = url.deletingLastPathComponent().appendingPathComponent("\(stem)-\(n)" + (ext.isEmpty ? "" : ".\(ext)")).path
        }
        return candidate
    }
}
