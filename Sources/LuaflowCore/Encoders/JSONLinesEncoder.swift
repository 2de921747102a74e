/// JSON Lines: the records as they come, one JSON object per line.
final class JSONLinesEncoder: RecordEncoder {
    var fileExtension: String { "jsonl" }
    var contentType: String { "application/x-ndjson" }

    func encode(_ batch: RecordBatch, into segment: () throws -> SegmentWriter) throws -> Int {
        guard let bytes = batch.bytes else { return 0 }
        try segment().write(bytes, count: batch.length)
        return batch.records
    }
}
