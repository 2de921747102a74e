/// The token of a `SegmentedSink` (`sink.file`): how much of which unfinished segment a checkpoint
/// covers.
struct SegmentProgress: Codable {
    /// The target the unfinished segment is published to (rotating: the current segment's, "" when
    /// none is open).
    var path: String
    /// Bytes of the unfinished segment covered; a resumed run cuts it back to this.
    var length: Int64
    /// The encoder's columns (CSV: inferred ones; a resumed run keeps writing them in that order).
    var columns: [String]?
    /// Rotating: the configured target (with `{time}`), and the finished segments the checkpoint
    /// covers, published once it is committed.
    var pattern: String?
    var finished: [String]?
}
