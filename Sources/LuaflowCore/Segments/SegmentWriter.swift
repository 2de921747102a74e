import Foundation

/// One segment of a `SegmentedSink`'s output on its way to its target: bytes go somewhere readers
/// do not see (a hidden in-progress file; an unfinished multipart upload) until `commit` publishes
/// them at once, or `abort` discards them. In a checkpointed run an unfinished segment outlives a
/// failure, and the next attempt continues it from the length its last checkpoint covered.
/// A new destination is a conforming type made by a `SegmentStore` (see `LocalFileStore`).
protocol SegmentWriter: AnyObject {
    /// Where the segment is published (a file's path, an object's key): what tokens and messages name.
    var target: String { get }
    /// Bytes in the segment so far (what a checkpoint covers; rotation by size).
    var size: Int64 { get }
    /// Makes the segment outlive a failure for the next attempt (a checkpointed run); with `size`,
    /// `open` continues the unfinished segment cut back to that many bytes instead of starting it.
    func resume(at size: Int64?)
    /// Starts the segment, or continues it (`resume`); throws when it cannot.
    func open() throws
    /// Starts the segment with the target's current content (`mode = "append"`). Returns the first
    /// bytes of that content (enough for a header), nil when the target has none.
    func copyTarget() throws -> [UInt8]?
    func write(_ bytes: UnsafeRawPointer, count: Int) throws
    /// Makes every byte written so far durable and keeps the segment open (a checkpoint).
    func flush() throws
    /// The last byte is written: makes the segment durable, still unpublished.
    func finish() throws
    /// Publishes the finished segment at its target, atomically.
    func commit() throws
    /// Publishes the finished segment if it is still unpublished (a committed checkpoint or a final
    /// commit covers it; a crash may have come before or after publishing). Idempotent.
    func commitIfFinished() throws
    /// Discards the segment, unpublished; with `keepingProgress` a resumable one stays for the next
    /// attempt (a committed checkpoint covers part of it). The target is untouched.
    func abort(keepingProgress: Bool)
}

/// Where a segmented sink's segments go (local files; tomorrow object storage): makes their writers
/// and finds what an earlier attempt of the run left, so the sink knows nothing of the destination.
protocol SegmentStore {
    /// A writer for the segment published at `target`, not yet open.
    func segment(_ target: String) -> SegmentWriter
    /// Whether `target` is taken: published already, or an unfinished segment's.
    func isTaken(_ target: String) -> Bool
    /// The targets of unfinished segments (published by none) whose names fit `pattern`, a target
    /// whose file name has `{time}` or `{seq}` placeholders standing for any text.
    func unfinished(matching pattern: String) throws -> [String]
}
