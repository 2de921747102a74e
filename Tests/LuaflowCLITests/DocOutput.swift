import Foundation

/// How a page's shown output is compared with what a command printed.
///
/// Both sides are normalised line by line, and only for what legitimately varies between runs:
/// - `127.0.0.1:<port>` becomes `127.0.0.1:PORT` (servers listen on free ports);
/// - durations (`0.43 s`, `10 ms`, `0.00s`) become `TIME`;
/// - timestamps with fractional seconds (`2026-11-24T04:58:57.212Z`) become `TIMESTAMP`;
/// - runs of spaces become one space (summary columns widen with the numbers in them).
/// Trailing blank lines are dropped. The page shows standard output and standard error as a
/// terminal does, so the shown lines must be an interleaving of the two streams, each in its order.
/// A shown line `...` stands for any number of lines.
enum DocOutput {
    static let ellipsis = "..."

    /// The rules, compiled afresh for each use: a `Regex` is not `Sendable`, and pages run in parallel.
    private static func rules() -> [(Regex<AnyRegexOutput>, String)] {
        [
            (try! Regex(#"127\.0\.0\.1:\d+"#), "127.0.0.1:PORT"),
            (try! Regex(#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"#), "TIMESTAMP"),
            (try! Regex(#"\b\d+(\.\d+)? ?(ms|s)\b"#), "TIME"),
            (try! Regex(#" {2,}"#), " "),
        ]
    }

    static func normalise(_ line: String) -> String {
        normalise(line, rules())
    }

    private static func normalise(_ line: String, _ rules: [(Regex<AnyRegexOutput>, String)]) -> String {
        var line = line
        for (pattern, replacement) in rules { line = line.replacing(pattern, with: replacement) }
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// The normalised lines of `text`, without trailing blank lines.
    static func lines(_ text: String) -> [String] {
        let rules = rules()
        var lines = text.components(separatedBy: "\n").map { normalise($0, rules) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// True when `expected` is an interleaving of `stdout` and `stderr` (all normalised already).
    static func matches(_ expected: [String], stdout: [String], stderr: [String]) -> Bool {
        struct Position: Hashable { var out: Int, err: Int }
        var positions: Set<Position> = [Position(out: 0, err: 0)]
        for line in expected {
            var next: Set<Position> = []
            for p in positions {
                if line == ellipsis {
                    for out in p.out...stdout.count { for err in p.err...stderr.count { next.insert(Position(out: out, err: err)) } }
                    continue
                }
                if p.out < stdout.count, stdout[p.out] == line { next.insert(Position(out: p.out + 1, err: p.err)) }
                if p.err < stderr.count, stderr[p.err] == line { next.insert(Position(out: p.out, err: p.err + 1)) }
            }
            positions = next
            if positions.isEmpty { return false }
        }
        return positions.contains(Position(out: stdout.count, err: stderr.count))
    }
}
