/// Where pipeline.lua writes a node's settings, so a problem with one is reported at its own line
/// rather than at the node's first: the first line after the node's declaration (and before the
/// next node's) that assigns the setting's first key, then each further key of a dotted path
/// (`paginator.limit`) at or after the line of the one before it.
struct SettingLines: Sendable {
    private let lines: [[UInt8]]
    /// The declaration lines of every node, sorted.
    private let declarations: [Int]

    init(text: [UInt8], declarations: [Int]) {
        lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        self.declarations = declarations.sorted()
    }

    /// The line of setting `path` (dotted, `[i]` indexes ignored) of the node declared at `line`,
    /// if pipeline.lua writes it there.
    func line(of path: String, declaredAt line: Int) -> Int? {
        let end = min(declarations.first { $0 > line } ?? lines.count + 1, lines.count + 1)
        var from = line
        for key in path.split(separator: ".") {
            let name = Array(key.prefix { $0 != "[" }.utf8)
            guard !name.isEmpty, from < end,
                  let found = (from..<end).first(where: { Self.assigns(name, in: lines[$0 - 1]) }) else { return nil }
            from = found
        }
        return from
    }

    /// Whether `line` holds `name =` (not `==`) with `name` a whole identifier.
    private static func assigns(_ name: [UInt8], in line: [UInt8]) -> Bool {
        func isIdentifier(_ c: UInt8) -> Bool {
            c == UInt8(ascii: "_") || (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A)
        }
        var i = 0
        while i + name.count <= line.count {
            defer { i += 1 }
            guard line[i..<i + name.count].elementsEqual(name), i == 0 || !isIdentifier(line[i - 1]) else { continue }
            var j = i + name.count
            guard j == line.count || !isIdentifier(line[j]) else { continue }
            while j < line.count, line[j] == UInt8(ascii: " ") || line[j] == UInt8(ascii: "\t") { j += 1 }
            if j < line.count, line[j] == UInt8(ascii: "="), j + 1 == line.count || line[j + 1] != UInt8(ascii: "=") { return true }
        }
        return false
    }
}
