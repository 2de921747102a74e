import Foundation

/// A mock API of the examples (`examples/api-reference/mock_api.py` by default, as the docs
/// start it; `examples/github-like/mock_github.py`), started on a free port.
final class DocMockAPI {
    let port: Int
    private let process: Process
    /// Where the mock logs one line per request.
    let log: URL

    /// Starts `script` (a path in the package) with port 0 and `arguments`, and reads the port it
    /// chose from its first line of standard error.
    init(logDirectory: URL, script: String = "examples/api-reference/mock_api.py", arguments: [String] = []) throws {
        let log = logDirectory.appendingPathComponent("mock-\(UUID().uuidString).log")
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", LuaflowBinary.packageRoot.appendingPathComponent(script).path, "0"] + arguments
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
                throw DocError(description: "\(script) did not start: \(text)")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The request lines the mock logged so far ("GET /path?query HTTP/1.1").
    var requests: [String] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let start = line.firstIndex(of: "\""), let end = line[line.index(after: start)...].firstIndex(of: "\"") else { return nil }
            return String(line[line.index(after: start)..<end])
        }
    }

    /// Kills the mock. SIGKILL, because a process started from a test thread inherits that
    /// thread's blocked signals, SIGTERM and SIGINT included.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
