import Foundation
import LuaflowHTTP
import TestSupport
import Testing

/// Synchronous test functions run on Swift's cooperative pool, which has as many threads as cores.
/// Six of them blocking at once (more than the pool has threads) must not starve the requests
/// they wait for: blocking calls run their work on a dedicated executor.
@Suite struct BlockingCallTests {
    typealias C = TestHTTPServer.Credentials

    @Test(.timeLimit(.minutes(1)), arguments: 0..<6)
    func blockingCallsFromPoolThreadsDoNotDeadlock(_ caller: Int) throws {
        let server = try TestHTTPServer.start()
        defer { server.stop() }
        let runtime = HTTPRuntime(clock: SystemHTTPClock())
        defer { try? runtime.syncShutdown() }
        let config = #"""
            {"base_url": "\#(server.baseURL)", "retry": {"base_delay": 0.01},
             "auth": {"oauth2": {"token_url": "\#(server.baseURL)/oauth/token", "client_id": "\#(C.clientID)", "client_secret": "\#(C.clientSecret)"}}}
            """#
        let session = try HTTPSession(config: sessionConfig(config), runtime: runtime)
        #expect(try session.executeBlocking(HTTPRequest(url: "/flaky?tag=\(caller)&fail=2")).attempts == 3)
        #expect(try session.executeBlocking(HTTPRequest(url: "/auth/oauth")).status == 200)
        let pages = PageIterator(session: session, request: HTTPRequest(url: "/cursor?total=30&limit=7"),
                                 paginator: try paginatorConfig(#"{"type": "cursor", "cursor_path": "meta.next_cursor", "records_path": "data"}"#))
        var records = 0
        while let page = try pages.next() { records += page.recordCount ?? 0 }
        #expect(records == 30)
    }
}
