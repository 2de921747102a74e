/// A segment written to a local file: its in-progress file is published by a rename.
extension AtomicFileWriter: SegmentWriter {
    var target: String { path }
    var size: Int64 { length }
    func finish() throws { try sync() }
    func commit() throws { try publish() }
    func commitIfFinished() throws { try publishIfFinished() }
}
