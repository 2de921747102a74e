/// The token of `sink.file`: how much of which in-progress file a checkpoint covers.
struct FileSinkProgress: Codable {
    /// The target the in-progress file is published to (rotating: the current segment's, "" when none is open).
    var path: String
    /// Bytes of the in-progress file covered; a resumed run cuts the file back to this.
    var length: Int64
    /// CSV columns the sink inferred (a resumed run keeps writing them in that order).
    var columns: [String]?
    /// Rotating: the configured path (with `{time}`), and the finished segments the checkpoint
    /// covers, published once it is committed.
    var pattern: String?
    var finished: [String]?
}
