import LuaflowCore

/// The fields a database sink's settings name, checked against the records. A field that
/// `primary_key`, `dedup_sort` or `columns` names and no record of the first batch holds is a
/// typo (a merge that never matches, a sort that never applies, a column typed for nothing), unless
/// `optional_fields` lists it (`primary_key` fields never are): checked on the first batch only, so
/// later batches pay nothing. Under `merge`, every record must hold its whole primary key, or
/// it could never be matched to its row again.
struct DeclaredFields {
    private let options: TableLoadOptions
    private var checked = false

    init(_ options: TableLoadOptions) {
        self.options = options
    }

    /// The problem of the first batch (nil: none, or not the first batch): the setting, the field
    /// no record holds, the fields present and the closest of them. `present` gives the field
    /// names of the batch's records, asked for on the first batch only.
    mutating func firstBatchProblem(records: Int, present: () -> Set<String>) -> String? {
        guard !checked, records > 0 else { return nil }
        checked = true
        let optional = Set(options.optionalFields)
        let named = options.primaryKey.map { ("primary_key", $0) }
            + (options.dedupSort.map { [("dedup_sort", $0)] } ?? [])
            + options.declared.map { ("columns", $0.name) }
        let names = present()
        guard case let (setting, field)? = named.first(where: { !names.contains($0.1) && ($0.0 == "primary_key" || !optional.contains($0.1)) })
        else { return nil }
        let candidates = names.sorted()
        let hint = ConfigSchema.suggestion(for: field, among: candidates).map { "; did you mean `\($0)`?" } ?? ""
        let shown = candidates.count > 30 ? candidates.prefix(30).joined(separator: ", ") + ", …" : candidates.joined(separator: ", ")
        let allowed = setting == "primary_key" ? "" : "; list it in optional_fields if it may be absent"
        return "\(options.declaredAt): \(setting): field `\(field)` is in none of the \(records) records of the first batch "
            + "(fields present: \(shown.isEmpty ? "none" : shown))\(hint)\(allowed)"
    }

    /// Rejects, under `merge`, the records of `plan` that lack a primary key field or hold null there.
    func rejectRecordsWithoutKey(_ plan: inout BatchPlan, shape: TableShape) {
        guard options.disposition == .merge else { return }
        let keys = options.primaryKey.map { ($0, shape.column(named: $0)) }
        for r in plan.records.indices where plan.records[r].rejection == nil {
            let fields = plan.records[r].fields
            let missing = keys.first { _, column in
                guard let column else { return true }
                return !fields.contains { f in
                    guard plan.columns[f] == column else { return false }
                    if case .null = plan.fields[f].value { return false }
                    return true
                }
            }
            if case let (name, _)? = missing {
                plan.records[r].rejection = "primary_key field `\(name)` is missing or null (write_disposition = \"merge\" finds a record's row by its key)"
            }
        }
    }
}
