import ArgumentParser
import Foundation
import LuaflowTesting

/// `luaflow test [paths...]`: runs Lua test files against connectors and a local mock HTTP server.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run Lua test files (*_test.lua).",
        discussion: """
        Each file runs in its own sandboxed Lua state with test(name, fn), assert_eq, assert_true, \
        assert_nil, assert_error, connector(path, config) and mock, a real HTTP server on 127.0.0.1 \
        that connectors reach through their normal http module. Directories are searched \
        recursively for *_test.lua (hidden directories skipped). See docs/testing.md.

        Prints one line per test (ok or FAIL, with file:line of the failing assertion) and a \
        closing line "N passed, M failed". -q prints only failures and that line; -v adds the \
        Lua traceback of each failure and shows log.debug output.

        Exit status: 0 all passed, 1 a test failed, 2 usage error (no such path, no test files).

        Examples:
          luaflow test
          luaflow test tests/
          luaflow test connectors/users_test.lua
        """
    )

    @Argument(help: "Test files or directories (default: the current directory).")
    var paths: [String] = []

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let files: [String]
        do {
            files = try TestDiscovery.files(in: paths)
        } catch let problem as TestDiscovery.Problem {
            logging.report(problem.description, tracebacks: [])
            throw ExitCode(2)
        }
        let quiet = logging.quiet
        let results = try TestSuite.run(files: files, tracebacks: logging.verbose, extensions: InstalledExtensions.all()) { result in
            if quiet && result.passed { return }
            FileHandle.standardOutput.write(Data((TestReporter.format(result) + "\n").utf8))
        }
        FileHandle.standardOutput.write(Data((TestReporter.summary(results) + "\n").utf8))
        if results.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
