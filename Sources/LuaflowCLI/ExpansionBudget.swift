import Yams

/// Counts what a composed YAML tree holds once its aliases are expanded (an alias shares the
/// anchored node, so the tree is small in memory but large when walked), stopping as soon as a
/// limit is passed.
struct ExpansionBudget {
    /// Values (scalars, sequences, mappings) and bytes of scalar text still allowed.
    private(set) var values: Int
    private(set) var bytes: Int

    init(values: Int, bytes: Int) {
        self.values = values
        self.bytes = bytes
    }

    /// Spends the budget on `node` and everything under it; false as soon as it runs out.
    mutating func admits(_ node: Node) -> Bool {
        values -= 1
        guard values >= 0 else { return false }
        switch node {
        case .scalar(let scalar):
            bytes -= scalar.string.utf8.count
            return bytes >= 0
        case .sequence(let sequence):
            return sequence.allSatisfy { admits($0) }
        case .mapping(let mapping):
            return mapping.allSatisfy { admits($0.key) && admits($0.value) }
        }
    }
}
