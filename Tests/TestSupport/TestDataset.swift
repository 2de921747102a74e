/// The records the pagination routes serve: `{"id": i, "name": "user-i"}` for i in 1...total.
public enum TestDataset {
    public static let defaultTotal = 25

    public static func record(_ id: Int) -> [String: Any] {
        ["id": id, "name": "user-\(id)"]
    }

    /// Records with ids `from + 1 ... from + count`, clipped to `total`.
    public static func records(from offset: Int, count: Int, total: Int) -> [[String: Any]] {
        let start = max(0, offset)
        let end = min(total, start + max(0, count))
        return start < end ? (start + 1...end).map(record) : []
    }
}
