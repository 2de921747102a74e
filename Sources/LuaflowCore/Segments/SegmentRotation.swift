import CLuaShim
import Foundation

/// `sink.file { rotate = { every, bytes }, path = "out/events-{time}.jsonl" }`: the output goes
/// to one segment after another, each an `AtomicFileWriter`. A segment is finished (synced) once
/// it is `every` old or holds `bytes`, and published (renamed to its name) only when a committed
/// checkpoint covers it: so across a kill each finished file appears once, complete, and a
/// resumed run publishes what its checkpoint lists, continues the current segment from its
/// checkpointed length and deletes the segments begun after that checkpoint.
final class RotatingFile {
    /// The path with `{time}` (UTC, 20261130T112645Z) or `{seq}` (the segment's number in the run).
    let pattern: String
    private let every: UInt64?
    private let bytes: Int64?
    /// Segments survive a failure for the next run to resume (a checkpointed run).
    private var resumable = false
    private var current: AtomicFileWriter?
    private var currentStarted: UInt64 = 0
    /// Finished segments not yet published (targets, in order).
    private(set) var finished: [String] = []
    private var sequence = 0
    /// Bytes written by this run, over every segment.
    private(set) var written: Int64 = 0

    init(pattern: String, every: Double?, bytes: Int64?) {
        self.pattern = pattern
        self.every = every.map { UInt64($0 * 1e9) }
        self.bytes = bytes
    }

    /// The current segment's target and length (nil: none open).
    var position: (path: String, length: Int64)? { current.map { ($0.path, $0.length) } }

    /// Resumes from a checkpoint's progress (nil: afresh in a checkpointed run): publishes the
    /// segments it covers, reopens its current segment at its length, deletes any other
    /// in-progress segment of this pattern (begun after the checkpoint, covered by none).
    func resume(finished covered: [String], current path: String?, length: Int64) throws {
        resumable = true
        for target in covered { try AtomicFileWriter(path: target).publishIfFinished() }
        let keep = path.map { AtomicFileWriter.partialPath(for: $0) }
        for partial in try inProgressSegments() where partial != keep { unlink(partial) }
        if let path {
            let writer = AtomicFileWriter(path: path)
            writer.resume(at: length)
            try writer.open()
            current = writer
            currentStarted = DispatchTime.now().uptimeNanoseconds
        }
    }

    /// Starts afresh (no checkpoint covers anything): in-progress segments of this pattern that an
    /// earlier attempt left are deleted.
    func startAfresh(resumable: Bool) throws {
        self.resumable = resumable
        for partial in try inProgressSegments() { unlink(partial) }
    }

    func write(_ pointer: UnsafeRawPointer, count: Int) throws {
        try rotateIfDue()
        let writer = try current ?? begin()
        try writer.write(pointer, count: count)
        written += Int64(count)
        if let bytes, writer.length >= bytes { try finishCurrent() }
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
            try AtomicFileWriter(path: target).publishIfFinished()
            finished.removeAll { $0 == target }
        }
    }

    /// Drops the in-progress segments (kept when `keepingProgress`: a committed checkpoint covers
    /// part of them and the next run resumes).
    func abort(keepingProgress: Bool) {
        current?.abort(keepingProgress: keepingProgress)
        current = nil
        if !(resumable && keepingProgress) {
            for target in finished {
                let partial = AtomicFileWriter.partialPath(for: target)
                unlink(partial)
                luaflow_untrack_temp_file(partial)
            }
        }
    }

    private func begin() throws -> AtomicFileWriter {
        sequence += 1
        let writer = AtomicFileWriter(path: try freeTarget())
        if resumable { writer.resume(at: nil) }
        try writer.open()
        current = writer
        currentStarted = DispatchTime.now().uptimeNanoseconds
        return writer
    }

    private func finishCurrent() throws {
        guard let writer = current else { return }
        try writer.sync()
        finished.append(writer.path)
        current = nil
    }

    /// The next segment's target: the pattern filled in, with `-N` before the extension when a
    /// file (or in-progress file) of that name exists already.
    private func freeTarget() throws -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = pattern.replacingOccurrences(of: "{time}", with: formatter.string(from: Date()))
            .replacingOccurrences(of: "{seq}", with: String(format: "%06d", sequence))
        var candidate = base
        var n = 1
        let taken = { (path: String) in
            FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: AtomicFileWriter.partialPath(for: path))
                || self.finished.contains(path)
        }
        while taken(candidate) {
            n += 1
            let url = URL(fileURLWithPath: base)
            let ext = url.pathExtension
            let stem = url.deletingPathExtension().lastPathComponent
            candidate = url.deletingLastPathComponent().appendingPathComponent("\(stem)-\(n)" + (ext.isEmpty ? "" : ".\(ext)")).path
        }
        return candidate
    }

    /// In-progress files beside the pattern whose names fit it (`.events-*.jsonl.partial`).
    private func inProgressSegments() throws -> [String] {
        let url = URL(fileURLWithPath: pattern)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        var regex = "^\\."
        var rest = Substring(name)
        while let open = rest.range(of: "{") {
            regex += NSRegularExpression.escapedPattern(for: String(rest[..<open.lowerBound]))
            if let close = rest[open.upperBound...].range(of: "}") {
                regex += ".+"
                rest = rest[close.upperBound...]
            } else {
                rest = rest[open.lowerBound...]
                break
            }
        }
        regex += NSRegularExpression.escapedPattern(for: String(rest)) + "\\.partial$"
        let matcher = try NSRegularExpression(pattern: regex)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { matcher.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
            .map { directory + "/" + $0 }
    }
}
