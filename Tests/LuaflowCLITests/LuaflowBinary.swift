import Foundation

/// Runs the built `luaflow` binary (scripts/test builds it first; LUAFLOW_BIN overrides the path).
enum LuaflowBinary {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var path: String {
        if let override = ProcessInfo.processInfo.environment["LUAFLOW_BIN"] { return override }
        return packageRoot.appendingPathComponent(".build/debug/luaflow").path
    }

    struct Result {
        var exitCode: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `luaflow args...` in `directory` with `environment` added to this process's;
    /// `interruptAfter` sends SIGINT after that many seconds.
    static func run(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:],
                    interruptAfter: Double? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        if let interruptAfter {
            Thread.sleep(forTimeInterval: interruptAfter)
            kill(process.processIdentifier, SIGINT)
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus,
                      stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A temp directory holding a copy of `examples/<name>` (or empty when name is nil).
    static func workspace(copying example: String? = nil) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("luaflow-cli-\(UUID().uuidString)")
        if let example {
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("examples/\(example)"), to: dir)
        } else {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        return dir
    }
}

extension URL {
    func write(_ relative: String, _ text: String) throws {
        let url = appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOf: appendingPathComponent(relative), encoding: .utf8)
    }
}
