import Foundation
import Logging
import LuaBridge
import LuaflowCore
import LuaflowHTTP

/// Runs one test file in a fresh sandboxed state against its own mock server: the prelude, the
/// file's top level, then each registered test in file order. Blocks the calling thread (tests
/// make HTTP calls), so it must run on a dedicated thread, never on Swift's cooperative pool.
final class TestFileRunner {
    /// The file as output shows it, and where it is.
    let display: String
    let path: String
    /// The routes of the file's mock server, and the server's `http://127.0.0.1:<port>`.
    let mock: MockRoutes
    let url: String
    /// Whether failures carry the Lua traceback.
    let tracebacks: Bool
    /// The host modules and built-ins connectors see.
    let extensions: HostExtensions

    init(display: String, path: String, mock: MockRoutes, url: String, tracebacks: Bool, extensions: HostExtensions) {
        self.display = display
        self.path = path
        self.mock = mock
        self.url = url
        self.tracebacks = tracebacks
        self.extensions = extensions
    }

    /// Runs the file, handing each result to `report` as soon as it is known.
    func run(report: (TestResult) -> Void) {
        do {
            let lua = try LuaState()
            let host = try prepare(lua)
            guard let count = try lua.call(lua.functionRef(host, "count")!, results: 1)[0].integerValue, count > 0 else { return }
            let info = lua.functionRef(host, "info")!, run = lua.functionRef(host, "run")!
            for i in 1...Int(count) {
                let described = try lua.call(info, [.integer(Int64(i))], results: 2)
                let name = described[0].stringValue ?? "test \(i)"
                do {
                    try lua.call(run, [.integer(Int64(i))])
                    report(TestResult(name: name, file: display))
                } catch let error as LuaError {
                    report(TestResult(name: name, file: display, failure: failure(error, line: described[1].integerValue)))
                }
            }
        } catch let error as LuaError {
            report(TestResult(name: "(loading the file)", file: display, failure: failure(error, line: nil)))
        } catch {
            report(TestResult(name: "(loading the file)", file: display, failure: "\(display): \(error)"))
        }
    }

    /// Sets up the sandbox, the test API and the mock, then runs the file's top level.
    /// Returns the prelude's host table (`count`, `info`, `run`).
    private func prepare(_ lua: LuaState) throws -> LuaRef {
        let directory = (path as NSString).deletingLastPathComponent
        try lua.installSandbox(roots: [directory]) { level, message, label in
            let levels: [String: Logger.Level] = ["debug": .debug, "warn": .warning, "error": .error]
            PipelineLog.logger.log(level: levels[level] ?? .info, "\(Redactor.shared.redact(message))", metadata: ["test": "\(label)"])
        }
        let env = try lua.makeEnvironment(label: display)
        let host = lua.newTable()
        lua.setField(host, "url", .string(url))
        registerMock(in: host, lua: lua)
        var extensions = self.extensions
        try StandaloneScript.installModules(of: extensions, into: lua, env: env, path: display, directory: directory)
        lua.register("load_connector", in: host) { [unowned lua, display] args in
            do {
                let script = try StandaloneScript(path: try args.string(1, function: "connector"), configJSON: args.bytes(2) ?? [],
                                                  stateJSON: args.bytes(4), directory: directory, caller: display, line: args[3].integerValue.map(Int.init),
                                                  state: lua, extensions: extensions)
                lua.setField(host, "loaded", ref: script.env)
                return []
            } catch {
                return [.string("\(error)")]
            }
        }
        let prelude = try lua.load(BundledLua.test.bytes, chunkName: BundledLua.test.chunkName)
        lua.setEnvironment(of: prelude, to: env)
        try lua.call(prelude, refArgs: [host, lua.privileged])
        extensions.modules.append(EmitCapture(function: lua.fieldRef(host, "emit")))

        guard let code = FileManager.default.contents(atPath: path) else {
            throw HostFunctionError("cannot read the file")
        }
        let chunk = try lua.load(Array(code), chunkName: display)
        lua.setEnvironment(of: chunk, to: env)
        try lua.call(chunk)
        return host
    }

    /// `mock_add`, `mock_requests` and `mock_reset`: the prelude's way to the server's routes.
    private func registerMock(in host: LuaRef, lua: LuaState) {
        let routes = mock
        lua.register("mock_add", in: host) { args in
            let method = try args.string(1, function: "mock"), path = try args.string(2, function: "mock")
            let list = try JSONSerialization.jsonObject(with: Data(args.bytes(3) ?? [])) as? [[String: Any]] ?? []
            routes.add(method: method, path: path, responses: list.map { r in
                let headers = (r["headers"] as? [[String: String]] ?? []).map { MockHeader(name: $0["name"] ?? "", value: $0["value"] ?? "") }
                return MockResponse(status: r["status"] as? Int ?? 200, headers: headers, body: Array((r["body"] as? String ?? "").utf8),
                                    events: r["sse"] as? [String], messages: r["websocket"] as? [String],
                                    ending: (r["ending"] as? String).flatMap(MockResponse.Ending.init) ?? .hold)
            })
            return []
        }
        lua.register("mock_requests", in: host) { args in
            let requests = routes.requests(path: args[1].stringValue).map(\.jsonObject)
            return [.bytes(Array(try JSONSerialization.data(withJSONObject: requests, options: [.sortedKeys])))]
        }
        lua.register("mock_reset", in: host) { _ in
            routes.reset()
            return []
        }
    }

    /// `file:line: message` of a failure; errors that name no place in a script (or only the
    /// test API itself) are placed at the test's own line.
    private func failure(_ error: LuaError, line: Int64?) -> String {
        let text: String
        if let location = error.location, !location.file.hasPrefix("luaflow/") {
            text = error.message
        } else {
            text = (line.map { "\(display):\($0)" } ?? display) + ": " + error.reason
        }
        guard tracebacks, let traceback = error.traceback else { return Redactor.shared.redact(text) }
        return Redactor.shared.redact(text + "\nstack traceback:\n" + traceback)
    }
}
