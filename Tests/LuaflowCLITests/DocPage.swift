import Foundation

/// The runnable content of one docs page.
///
/// The convention, all of it:
/// - A **shell example** is a ```sh or ```console block, or a block whose first line starts with `$ `.
///   In a block with `$ ` lines, each `$ command` (continued by a trailing `\`) is run and the lines
///   under it, up to the next `$ `, are its expected output (``DocOutput`` says how they are compared);
///   a line `...` stands for any number of lines. A block without `$ ` lines is run as one script that
///   must exit 0.
/// - A **file** is a fenced block right after a line that is just a file name in backticks and a colon
///   (`` `transforms/adults.lua`: ``), or after `<!-- doctest: file=PATH -->`; it is written, relative
///   to the current directory, when the page reaches it.
/// - `<!-- doctest: ... -->` comments (invisible on the rendered page), before the block they affect:
///   `skip REASON` (the next shell example is not run; the reason is required),
///   `file=PATH`, `diff=PATH` (apply the next ```diff block to PATH),
///   `mock-api` (the next block starts mock_api.py: the harness starts it on a free port instead),
///   `github-mock` (the same for examples/github-like/mock_github.py, shown on port 8788),
///   `stand-in=NAME` (start the stand-in API NAME, see ``DocStandIn``, for the next block),
///   `copy=PATH` (copy PATH of the repository into the workspace),
///   `workspace-path=PATH` and `repo-path=PATH` (the absolute paths the page shows for them).
/// Every other block (Lua snippets, output excerpts, diagrams) is prose and is not run.
struct DocPage: Sendable {
    var path: String
    var steps: [DocStep]

    /// Every page under docs/ and docs/templates/, relative to the repository root.
    static func all(in root: URL) -> [String] {
        ["docs", "docs/templates"].flatMap { dir -> [String] in
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
            return names.filter { $0.hasSuffix(".md") }.sorted().map { "\(dir)/\($0)" }
        }
    }

    init(path: String, text: String) throws {
        self.path = path
        self.steps = try Self.parse(text.components(separatedBy: "\n"), path: path)
    }

    private static func parse(_ lines: [String], path: String) throws -> [DocStep] {
        var steps: [DocStep] = []
        var pending: [String] = []   // block directives waiting for the next fenced block
        var previousText = ""
        var index = 0
        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let lineNumber = index + 1
            if let directive = directive(trimmed) {
                if let step = try pageStep(directive, line: lineNumber, path: path) {
                    steps.append(step)
                } else {
                    pending.append(directive)
                }
                index += 1
                continue
            }
            guard trimmed.hasPrefix("```") else {
                if !trimmed.isEmpty { previousText = trimmed }
                index += 1
                continue
            }
            let info = String(trimmed.dropFirst(3))
            let indent = line.prefix { $0 == " " }.count
            var body: [String] = []
            index += 1
            while index < lines.count, !lines[index].trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                body.append(String(lines[index].dropFirst(min(indent, lines[index].prefix { $0 == " " }.count))))
                index += 1
            }
            index += 1
            steps += try blockSteps(info: info, body: body, line: lineNumber, directives: pending,
                                    fileName: fileName(previousText), path: path)
            pending = []
            previousText = ""
        }
        if !pending.isEmpty { throw DocError(description: "\(path): directives \(pending) come before no block") }
        return steps
    }

    /// The content of `<!-- doctest: X -->`, or nil for any other line.
    private static func directive(_ line: String) -> String? {
        guard line.hasPrefix("<!-- doctest:"), line.hasSuffix("-->") else { return nil }
        return line.dropFirst("<!-- doctest:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
    }

    /// The step of a directive that acts where it stands, or nil for one that waits for a block.
    private static func pageStep(_ directive: String, line: Int, path: String) throws -> DocStep? {
        if let value = value(directive, "copy") { return .copyFromRepo(path: value, line: line) }
        if let value = value(directive, "workspace-path") { return .showWorkspace(as: value) }
        if let value = value(directive, "repo-path") { return .showRepository(as: value) }
        let known = ["skip", "file=", "diff=", "mock-api", "github-mock", "stand-in="]
        guard known.contains(where: { directive.hasPrefix($0) }) else {
            throw DocError(description: "\(path):\(line): unknown doctest directive '\(directive)'")
        }
        return nil
    }

    private static func value(_ directive: String, _ key: String) -> String? {
        directive.hasPrefix(key + "=") ? String(directive.dropFirst(key.count + 1)) : nil
    }

    /// "`path/file.lua`:" names the file the next block holds.
    private static func fileName(_ text: String) -> String? {
        guard text.count > 3, text.hasPrefix("`"), text.hasSuffix("`:"),
              !text.dropFirst().dropLast(2).contains("`") else { return nil }
        return String(text.dropFirst().dropLast(2))
    }

    private static func blockSteps(info: String, body: [String], line: Int, directives: [String],
                                   fileName: String?, path: String) throws -> [DocStep] {
        let content = body.joined(separator: "\n") + "\n"
        if let file = directives.lazy.compactMap({ value($0, "file") }).first {
            return [.writeFile(path: file, content: content, line: line)]
        }
        if let file = directives.lazy.compactMap({ value($0, "diff") }).first {
            return [.patchFile(path: file, diff: body, line: line)]
        }
        let isShell = info == "sh" || info == "console" || body.first?.hasPrefix("$ ") == true
        guard isShell else {
            if let fileName, info != "diff" { return [.writeFile(path: fileName, content: content, line: line)] }
            if !directives.isEmpty { throw DocError(description: "\(path):\(line): \(directives) on a block that is not run") }
            return []
        }
        if let skip = directives.first(where: { $0.hasPrefix("skip") }) {
            let reason = skip.dropFirst(4).trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else { throw DocError(description: "\(path):\(line): a skip needs a reason") }
            return [.skipped(reason: reason, line: line)]
        }
        if directives.contains("mock-api") { return [.startMockAPI(line: line)] }
        if directives.contains("github-mock") { return [.startGitHubMock(line: line)] }
        let standIns = directives.compactMap { value($0, "stand-in") }.map { DocStep.startStandIn(name: $0, line: line) }
        guard body.contains(where: { $0.hasPrefix("$ ") }) else {
            return standIns + [.script(text: content, line: line)]
        }
        return standIns + commands(body, line: line)
    }

    /// Splits a block into `$ command` steps, each with the output lines under it.
    private static func commands(_ body: [String], line: Int) -> [DocStep] {
        var steps: [DocStep] = []
        var index = 0
        while index < body.count {
            guard body[index].hasPrefix("$ ") else { index += 1; continue }
            let start = line + 1 + index
            var command = String(body[index].dropFirst(2))
            while command.hasSuffix("\\"), index + 1 < body.count {
                index += 1
                command += "\n" + body[index]
            }
            index += 1
            var expected: [String] = []
            while index < body.count, !body[index].hasPrefix("$ ") {
                expected.append(body[index])
                index += 1
            }
            steps.append(.command(text: command, expected: expected, line: start))
        }
        return steps
    }
}
