import Foundation

/// `examples/api-reference/mock_api.py`, started as the docs say, on a free port.
final class DocMockAPI {
    let port: Int
    private let process: Process

    /// Starts the mock with port 0 and reads the port it chose from its first line of standard error.
    init(logDirectory: URL) throws {
        let log = logDirectory.appendingPathComponent("mock_api-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", LuaflowBinary.packageRoot.appendingPathComponent("examples/api-reference/mock_api.py").path, "0"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        let announcement = try Regex(#"127\.0\.0\.1:(\d+)"#)
        while true {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let match = text.firstMatch(of: announcement), let port = Int(match.output[1].substring ?? "") {
                self.port = port
                return
            }
            guard process.isRunning, Date() < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw DocError(description: "mock_api.py did not start: \(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Kills the mock. SIGKILL, because a process started from a test thread inherits that
    /// thread's blocked signals, SIGTERM and SIGINT included.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
