import Foundation
import LuaflowCore
import LuaflowHTTP
import NIOPosix

/// Runs test files one after another, each on its own thread with its own state and mock
/// server, and reports every result as soon as it is known.
public enum TestSuite {
    /// Runs `files` (paths as output shows them) and returns every result, in order.
    /// `report` is called on the test threads, one result at a time. With `tracebacks`, a
    /// failure carries the Lua traceback of the error. `extensions` are the host modules and
    /// built-ins connectors see (the `http` module's by default).
    public static func run(files: [String], tracebacks: Bool = false, extensions: HostExtensions = HTTPLuaModule.extensions(),
                           report: @escaping @Sendable (TestResult) -> Void) throws -> [TestResult] {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let results = Locked<[TestResult]>([])
        for file in files {
            let routes = MockRoutes()
            let server = try LoopbackHTTPServer(group: group) { routes.serve($0) }
            let done = DispatchSemaphore(value: 0)
            let path = URL(fileURLWithPath: file).standardizedFileURL.path
            let thread = Thread {
                TestFileRunner(display: file, path: path, mock: routes, url: server.baseURL, tracebacks: tracebacks,
                               extensions: extensions).run { result in
                    results.withLock { $0.append(result) }
                    report(result)
                }
                done.signal()
            }
            thread.name = "luaflow-test:\(file)"
            thread.stackSize = 16 << 20
            thread.start()
            done.wait()
            server.stop()
        }
        return results.withLock { $0 }
    }
}
