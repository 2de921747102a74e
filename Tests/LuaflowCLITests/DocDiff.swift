/// Applies the ```diff blocks of the docs: hunks separated by `...` lines, each a run of context
/// (` `), removed (`-`) and added (`+`) lines that must occur once, contiguously, in the file.
enum DocDiff {
    /// The patched text, or nil when a hunk's old lines are not in `text`.
    static func apply(_ diff: [String], to text: String) -> String? {
        var lines = text.components(separatedBy: "\n")
        for hunk in diff.split(separator: DocOutput.ellipsis) {
            let old = hunk.filter { !$0.hasPrefix("+") }.map { String($0.dropFirst()) }
            let new = hunk.filter { !$0.hasPrefix("-") }.map { String($0.dropFirst()) }
            guard !old.isEmpty,
                  let start = (0...max(0, lines.count - old.count)).first(where: { Array(lines[$0..<min(lines.count, $0 + old.count)]) == old })
            else { return nil }
            lines.replaceSubrange(start..<start + old.count, with: new)
        }
        return lines.joined(separator: "\n")
    }
}
