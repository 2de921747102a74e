import Foundation
import LuaflowHTTP
import TestSupport

/// A session config from the JSON a Lua table would turn into.
func sessionConfig(_ json: String) throws -> HTTPSessionConfig {
    try HTTPSessionConfig.decode(json: Data(json.utf8))
}

func paginatorConfig(_ json: String) throws -> PaginatorConfig {
    try PaginatorConfig.decode(json: Data(json.utf8))
}

/// Runs `body` with a fresh server and runtime, and always stops both (a runtime dropped without
/// shutdown would leak its connections).
func withServer<T>(clock: any HTTPClock = ManualHTTPClock(), seed: UInt64 = 42,
                   _ body: (TestHTTPServer, HTTPRuntime) async throws -> T) async throws -> T {
    let server = try TestHTTPServer.start()
    let runtime = HTTPRuntime(clock: clock, random: SeededGenerator(seed: seed))
    do {
        let result = try await body(server, runtime)
        try await runtime.shutdown()
        await server.stop()
        return result
    } catch {
        try? await runtime.shutdown()
        await server.stop()
        throw error
    }
}

/// The error `body` throws, as an ``HTTPError`` (nil when it throws nothing or something else).
func httpError(_ body: () async throws -> Void) async -> HTTPError? {
    do {
        try await body()
        return nil
    } catch let error as HTTPError {
        return error
    } catch {
        return nil
    }
}

/// The JSON object in a response body.
func object(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(try response.json() as? [String: Any])
}

import Testing
