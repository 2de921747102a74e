/// Rows of cells as left-aligned columns two spaces apart, trailing spaces removed (a row that
/// starts with empty cells keeps its indent).
enum TextTable {
    static func lines(_ rows: [[String]]) -> [String] {
        guard let first = rows.first else { return [] }
        let widths = first.indices.map { i in rows.map { $0[i].count }.max()! }
        return rows.map { row in
            var line = zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}
