/// What a database sink does with a value whose type does not fit its column.
enum SchemaContract: String, Sendable {
    /// Stores it in the variant column `<name>__v_<type>` (created when missing).
    case evolve
    /// Fails the run, naming the field, the record and both types.
    case freeze
    /// Hands the record to the node's `on_error` (`dead_letter`: the dead-letter file).
    case discardRow = "discard_row"
}
