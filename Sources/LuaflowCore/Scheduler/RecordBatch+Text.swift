/// Read access to a batch's text for sinks written in other targets (database sinks).
extension RecordBatch {
    /// Calls `body` with the batch's JSON text, records one a line (empty for a marker).
    public func withText<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: bytes, count: length))
    }

    /// The byte range of each record (each non-blank line) in the text, without its `\n`.
    public var recordRanges: [Range<Int>] {
        guard let bytes else { return [] }
        return RecordLines(bytes, count: length).filter { !$0.isEmpty }
    }
}
