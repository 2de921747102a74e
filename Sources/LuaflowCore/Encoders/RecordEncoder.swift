/// Turns records into the bytes of an output segment, for a `SegmentedSink`: one encoding (JSON
/// Lines, a JSON array, CSV, text lines) whatever the segments are written to. Bytes may be binary.
///
/// Per segment the sink calls `begin` (a new segment) or `resume` (one that already holds this
/// encoding's beginning), then `encode` for each batch, then `end` when the segment is finished.
/// The records `encode` counts are in the segment when it returns (a checkpoint covers them), so an
/// encoder that groups records (a Parquet row group) writes a group per batch at least; one that
/// needs the whole segment to finish it (a Parquet footer) keeps what the footer needs, not the
/// records, and writes it in `end`.
/// A new encoding is a type conforming to this protocol in `Encoders/`, picked by the sink's factory
/// (`FileSink.make` for `sink.file`).
protocol RecordEncoder: AnyObject {
    /// The extension of a file in this encoding, without the dot ("jsonl", "csv").
    var fileExtension: String { get }
    /// The media type of a segment in this encoding ("application/x-ndjson", "text/csv").
    var contentType: String { get }
    /// The columns records are written with once they are known (configured, or inferred from the
    /// first record): a checkpoint stores them so that a resumed run keeps them. Nil for encodings
    /// without columns.
    var columns: [String]? { get }
    /// A resumed run continues with the columns its checkpoint stored (see `columns`).
    func restore(columns: [String]?)
    /// Writes what comes before the first record of a new segment (a JSON array's `[`, a CSV header
    /// once the columns are known).
    func begin(_ segment: SegmentWriter) throws
    /// Continues `segment`, which an earlier attempt of the run began: it holds this encoding's
    /// beginning and maybe records.
    func resume(_ segment: SegmentWriter)
    /// Continues after the content a target already has (`mode = "append"`), whose first bytes are
    /// `head`; a CSV header there gives the columns. Returns false when that content lacks this
    /// encoding's beginning, which `begin` then writes. Throws `FileConfigError` saying what the
    /// content was expected to hold.
    func append(after head: [UInt8]) throws -> Bool
    /// Encodes the records of `batch` and returns how many it wrote. `segment` gives the segment to
    /// write to, beginning one when none is open: it is called only once there are bytes to write,
    /// so a batch that yields none starts no segment.
    func encode(_ batch: RecordBatch, into segment: () throws -> SegmentWriter) throws -> Int
    /// Writes what comes after the last record of a finished segment (a JSON array's `]`).
    func end(_ segment: SegmentWriter) throws
}

extension RecordEncoder {
    var columns: [String]? { nil }
    func restore(columns: [String]?) {}
    func begin(_ segment: SegmentWriter) throws {}
    func resume(_ segment: SegmentWriter) {}
    func append(after head: [UInt8]) throws -> Bool { true }
    func end(_ segment: SegmentWriter) throws {}
}
