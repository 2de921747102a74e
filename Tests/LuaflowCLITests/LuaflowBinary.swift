import Foundation
import TestSupport

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
        /// With `signal`: seconds from the signal to the exit (nil when the run ended before it).
        var exitedAfterSignal: Double?
        /// The run was still going after the `killAfter` seconds given and was killed.
        var timedOut = false
    }

    /// Runs `luaflow args...` in `directory`; `signal` sends that signal after that many seconds
    /// (`interruptAfter`: SIGINT), counted from when the file `startedFile` exists in `directory`
    /// when given (a script writes it once the run is under way: a busy machine may take long to
    /// start one) and from when `ready` returns true when given (polled); `killAfter` sends
    /// SIGKILL. `environment` changes the inherited environment (a nil value removes the
    /// variable); `executable` replaces the binary's path.
    static func run(_ args: [String], in directory: URL? = nil, interruptAfter: Double? = nil,
                    signal: (number: Int32, after: Double)? = nil, startedFile: String? = nil, ready: (() -> Bool)? = nil,
                    killAfter: Double? = nil,
                    environment: [String: String?] = [:], executable: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? path)
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            var env = ProcessInfo.processInfo.environment
            for (name, value) in environment { env[name] = value }
            process.environment = env
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var signalled: DispatchTime?
        if let stop = signal ?? interruptAfter.map({ (SIGINT, $0) }) {
            if let startedFile, let directory { waitFor(directory.appendingPathComponent(startedFile), while: process) }
            if let ready { waitUntil(ready, while: process) }
            Thread.sleep(forTimeInterval: stop.after)
            if process.isRunning {
                signalled = .now()
                kill(process.processIdentifier, stop.number)
            }
        }
        let killer = killAfter.map { seconds in
            DispatchWorkItem { [pid = process.processIdentifier] in kill(pid, SIGKILL) }
                .scheduled(after: seconds)
        }
        let output = ChildOutput.collect(out: out, err: err)
        process.waitUntilExit()
        killer?.cancel()
        return Result(exitCode: process.terminationStatus,
                      stdout: String(decoding: output.stdout, as: UTF8.self),
                      stderr: String(decoding: output.stderr, as: UTF8.self),
                      exitedAfterSignal: signalled.map { Double(DispatchTime.now().uptimeNanoseconds - $0.uptimeNanoseconds) / 1e9 },
                      timedOut: process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL && signal?.number != SIGKILL)
    }

    /// Waits (up to 300 s) until `file` exists or `process` ended.
    static func waitFor(_ file: URL, while process: Process) {
        waitUntil({ FileManager.default.fileExists(atPath: file.path) }, while: process)
    }

    /// Waits (up to 300 s) until `condition` holds or `process` ended.
    static func waitUntil(_ condition: () -> Bool, while process: Process) {
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning && !condition() && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Starts `luaflow args...` and sends it SIGKILL after `seconds` (counted from when
    /// `startedFile` exists, when given); true when it was still running.
    static func runKilled(_ args: [String], in directory: URL, after seconds: Double, startedFile: String? = nil) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let startedFile { waitFor(directory.appendingPathComponent(startedFile), while: process) }
        Thread.sleep(forTimeInterval: seconds)
        let running = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return running && process.terminationReason == .uncaughtSignal
    }

    /// A temp directory holding a copy of `examples/<name>` (or empty when name is nil).
    /// Starts `args` `times` times, each killed with SIGKILL after a delay drawn from `delays` by a
    /// generator seeded with `seed` (a replayable schedule). Returns how many kills landed while
    /// the run was still going.
    static func killRepeatedly(_ args: [String], in directory: URL, times: Int, seed: UInt64,
                               delays: ClosedRange<Double>) throws -> Int {
        var random = SeededGenerator(seed: seed)
        var killedMidRun = 0
        for _ in 0..<times {
            let delay = Double.random(in: delays, using: &random)
            if try runKilled(args, in: directory, after: delay) { killedMidRun += 1 }
        }
        return killedMidRun
    }

    static func workspace(copying example: String? = nil) throws -> URL {
        guard let example else { return try TestDirectories.make("luaflow-cli") }
        let dir = try TestDirectories.unused("luaflow-cli")
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("examples/\(example)"), to: dir)
        return dir
    }
}

private extension DispatchWorkItem {
    /// Runs the item on a global queue after `seconds`; returns it for cancelling.
    func scheduled(after seconds: Double) -> DispatchWorkItem {
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: self)
        return self
    }
}
