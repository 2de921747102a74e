/// A column of a loaded table.
struct TableColumn: Equatable, Sendable {
    var name: String
    var type: ColumnType
}
