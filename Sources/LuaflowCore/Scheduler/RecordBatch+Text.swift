/// Read access to a batch's text for built-ins written in other targets (database sinks).
extension RecordBatch {
    /// The batch's text: JSON records, one per line (empty for a marker).
    public var jsonLines: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes, count: length)
    }

    /// The byte range of each record (each non-blank line) in the text, without its `\n`.
    public var recordRanges: [Range<Int>] {
        guard let bytes else { return [] }
        return RecordLines(bytes, count: length).filter { !$0.isEmpty }
    }
}
