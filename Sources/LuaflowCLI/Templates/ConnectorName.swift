/// The rules for the `<name>` of `luaflow new`: it becomes file names (`<name>.lua`,
/// `<name>_test.lua`), the node name used by `--set <name>.key=...`, and `<NAME>_TOKEN`.
enum ConnectorName {
    static let maxLength = 64

    /// Why `name` cannot be used, or nil when it can.
    static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        guard let first = bytes.first else { return "the connector name is empty" }
        let isLetter = { (b: UInt8) in (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || b == 0x5F }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        if !isLetter(first) || !bytes.allSatisfy({ isLetter($0) || isDigit($0) }) {
            return "invalid connector name '\(name)': use letters, digits and _ and start with a letter or _ (like a Lua identifier), e.g. github_issues"
        }
        if bytes.count > maxLength { return "the connector name '\(name)' is longer than \(maxLength) characters" }
        if name.hasSuffix("_test") {
            return "the connector name '\(name)' ends in _test, which marks test files (luaflow test would run \(name).lua as a test)"
        }
        return nil
    }
}
