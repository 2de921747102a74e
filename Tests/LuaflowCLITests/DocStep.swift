/// One thing a docs page asks its reader to do, in page order (see ``DocPage``).
enum DocStep: Equatable, Sendable {
    /// Write a fenced block to `path` (relative to the current directory).
    case writeFile(path: String, content: String, line: Int)
    /// Apply a ```diff block (hunks separated by `...` lines) to the file at `path`.
    case patchFile(path: String, diff: [String], line: Int)
    /// Copy `path` of the repository into the workspace at the same relative path.
    case copyFromRepo(path: String, line: Int)
    /// Start `examples/api-reference/mock_api.py`; `127.0.0.1:8787` then means its port.
    case startMockAPI(line: Int)
    /// Start `examples/github-like/mock_github.py`; `127.0.0.1:8788` then means its port.
    case startGitHubMock(line: Int)
    /// Start the in-process stand-in API `name` (``DocStandIn``); `127.0.0.1:8799` then means its port.
    case startStandIn(name: String, line: Int)
    /// Output that names the workspace's absolute path shows `shown` instead.
    case showWorkspace(as: String)
    /// Output that names the repository's absolute path shows `shown` instead.
    case showRepository(as: String)
    /// A ```sh block of commands without shown output: it must exit 0.
    case script(text: String, line: Int)
    /// A `$ command` line and the output shown under it.
    case command(text: String, expected: [String], line: Int)
    /// A shell example that is not run, and why.
    case skipped(reason: String, line: Int)
}
