import Foundation
import TestSupport

/// Runs shell commands as a reader of the docs would: `/bin/sh` in the current directory, with
/// the built binary on `PATH` as `luaflow`, no standard input, and a time limit.
struct DocShell {
    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
        var directory: URL
    }

    /// A directory holding `luaflow`, a link to the binary under test.
    let binDirectory: URL
    static let timeLimit = 60

    init(root: URL) throws {
        binDirectory = root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: binDirectory, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: binDirectory.appendingPathComponent("luaflow"),
                                                   withDestinationURL: URL(fileURLWithPath: LuaflowBinary.path))
    }

    /// Runs `script` in `directory` with `$?` set to `previousExit`; returns where it ended (`cd` moves it).
    func run(_ script: String, in directory: URL, previousExit: Int32) throws -> Result {
        let pwdFile = binDirectory.deletingLastPathComponent().appendingPathComponent("pwd-\(UUID().uuidString)")
        let process = Process()
        // GNU timeout runs the shell in a process group of its own and kills the whole group.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["timeout", "-s", "KILL", "\(Self.timeLimit)", "/bin/sh", "-c",
                             "(exit \(previousExit))\n\(script)\n__rc=$?\npwd > '\(pwdFile.path)'\nexit $__rc"]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = binDirectory.path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = ChildOutput.collect(out: out, err: err)
        process.waitUntilExit()
        let ended = (try? String(contentsOf: pwdFile, encoding: .utf8))?.trimmingCharacters(in: .newlines)
        try? FileManager.default.removeItem(at: pwdFile)
        return Result(exitCode: process.terminationStatus,
                      stdout: String(decoding: output.stdout, as: UTF8.self),
                      stderr: String(decoding: output.stderr, as: UTF8.self),
                      directory: ended.map { URL(fileURLWithPath: $0) } ?? directory)
    }
}
