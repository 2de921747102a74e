import Foundation
import TestSupport

/// Follows one docs page in a fresh temp workspace: writes its files, runs its shell examples in
/// order and compares what they print with what the page shows.
final class DocRun {
    /// A difference between the page and the binary, at a line of the page.
    struct Failure: CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    private(set) var ran = 0
    private(set) var skipped: [(line: Int, reason: String)] = []
    private(set) var failures: [Failure] = []

    private let root: URL
    private let workspace: URL
    private let shell: DocShell
    private var directory: URL
    private var lastExit: Int32 = 0
    /// Addresses the page shows, and where the servers really listen.
    private var addresses: [(shown: String, actual: String)] = []
    private var shownWorkspace = "<workspace>"
    private var shownRepository = "<repository>"
    private var mockAPI: DocMockAPI?
    private var gitHubMock: DocMockAPI?
    private var standIns: [TestHTTPServer] = []

    init() throws {
        root = try TestDirectories.make("luaflow-doctest")
        workspace = root.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        shell = try DocShell(root: root)
        directory = workspace
    }

    /// Performs every step of `page`, then stops the servers it started and removes the workspace.
    func follow(_ page: DocPage) {
        defer { finish() }
        for step in page.steps {
            do { try perform(step) } catch { failures.append(Failure(line: step.line, message: "\(error)")) }
        }
    }

    private func perform(_ step: DocStep) throws {
        switch step {
        case let .writeFile(path, content, _):
            try directory.write(path, substituted(content))
        case let .patchFile(path, diff, line):
            let url = directory.appendingPathComponent(path)
            let patched = try DocDiff.apply(diff, to: String(contentsOf: url, encoding: .utf8))
            guard let patched else { return failures.append(Failure(line: line, message: "the diff does not apply to \(path)")) }
            try patched.write(to: url, atomically: true, encoding: .utf8)
        case let .copyFromRepo(path, _):
            let target = workspace.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: LuaflowBinary.packageRoot.appendingPathComponent(path), to: target)
        case .startMockAPI:
            let mock = try DocMockAPI(logDirectory: root)
            mockAPI = mock
            addresses.append((shown: "127.0.0.1:8787", actual: "127.0.0.1:\(mock.port)"))
            ran += 1
        case .startGitHubMock:
            let mock = try DocMockAPI(logDirectory: root, script: "examples/github-like/mock_github.py")
            gitHubMock = mock
            addresses.append((shown: "127.0.0.1:8788", actual: "127.0.0.1:\(mock.port)"))
            ran += 1
        case let .startStandIn(name, _):
            let server = try DocStandIn.start(name)
            standIns.append(server)
            addresses.append((shown: "127.0.0.1:8799", actual: "127.0.0.1:\(server.port)"))
        case let .showWorkspace(shown):
            shownWorkspace = shown
        case let .showRepository(shown):
            shownRepository = shown
        case let .script(text, line):
            let result = try execute(text)
            if result.exitCode != 0 {
                failures.append(Failure(line: line, message: "exit \(result.exitCode):\n\(result.stdout)\(result.stderr)"))
            }
        case let .command(text, expected, line):
            let result = try execute(text)
            check(result, against: expected, command: text, line: line)
        case let .skipped(reason, line):
            skipped.append((line, reason))
        }
    }

    private func execute(_ script: String) throws -> DocShell.Result {
        ran += 1
        let result = try shell.run(substituted(script), in: directory, previousExit: lastExit)
        directory = result.directory
        lastExit = result.exitCode
        return result
    }

    /// The command fails when the page shows an `error:` line or a failed test (`FAIL`), and
    /// succeeds otherwise; it prints what the page shows.
    private func check(_ result: DocShell.Result, against expected: [String], command: String, line: Int) {
        let shown = DocOutput.lines(expected.joined(separator: "\n"))
        let stdout = DocOutput.lines(unsubstituted(result.stdout)), stderr = DocOutput.lines(unsubstituted(result.stderr))
        let failed = shown.contains { $0.hasPrefix("error:") || $0.hasPrefix("FAIL ") }
        var problems: [String] = []
        if failed != (result.exitCode != 0) {
            problems.append("exit code \(result.exitCode), but the page shows \(failed ? "an error" : "no error")")
        }
        if !DocOutput.matches(shown, stdout: stdout, stderr: stderr) {
            problems.append("the output differs from the page")
        }
        guard !problems.isEmpty else { return }
        failures.append(Failure(line: line, message: """
            $ \(command)
            \(problems.joined(separator: "; "))
            --- page (normalised)
            \(shown.joined(separator: "\n"))
            --- stdout (normalised)
            \(stdout.joined(separator: "\n"))
            --- stderr (normalised)
            \(stderr.joined(separator: "\n"))
            """))
    }

    /// The page's text with the shown server addresses replaced by the real ones.
    private func substituted(_ text: String) -> String {
        addresses.reduce(text) { $0.replacingOccurrences(of: $1.shown, with: $1.actual) }
    }

    /// Output with the real absolute paths replaced by the ones the page shows.
    private func unsubstituted(_ text: String) -> String {
        text.replacingOccurrences(of: workspace.path, with: shownWorkspace)
            .replacingOccurrences(of: LuaflowBinary.packageRoot.path, with: shownRepository)
    }

    private func finish() {
        mockAPI?.stop()
        gitHubMock?.stop()
        standIns.forEach { $0.stop() }
        try? FileManager.default.removeItem(at: root)
    }
}

extension DocStep {
    /// The line of the page the step comes from (0 for steps that only set how output is shown).
    var line: Int {
        switch self {
        case let .writeFile(_, _, line), let .patchFile(_, _, line), let .copyFromRepo(_, line), let .startMockAPI(line), let .startGitHubMock(line),
             let .startStandIn(_, line), let .script(_, line), let .command(_, _, line), let .skipped(_, line):
            return line
        case .showWorkspace, .showRepository:
            return 0
        }
    }
}
