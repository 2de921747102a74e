/// A batch of records split into fields, each field assigned its column: what a destination
/// writes. Reused from batch to batch (its arrays keep their capacity).
struct BatchPlan {
    struct Record {
        /// The record's JSON text in the batch.
        var text: Range<Int>
        /// Its fields in `BatchPlan.fields`.
        var fields: Range<Int>
        /// Why the record cannot be loaded (its type conflict under `discard_row`, or not an object).
        var rejection: String?
    }

    var records: [Record] = []
    var fields: [ParsedField] = []
    /// The column of each field (parallel to `fields`); -1 for a null of a field with no column yet.
    var columns: [Int] = []

    mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        columns.removeAll(keepingCapacity: true)
    }

    /// The values of record `r` by column (`.null` for a column it lacks), in `row`.
    func row(_ r: Int, columnCount: Int, into row: inout [FieldValue]) {
        row.removeAll(keepingCapacity: true)
        row.append(contentsOf: repeatElement(.null, count: columnCount))
        for f in records[r].fields where columns[f] >= 0 {
            row[columns[f]] = fields[f].value
        }
    }
}
