import Foundation
import LuaflowHTTP
import TestSupport
import Testing

@Suite struct TmpPerfTests {
    @Test func hundredThousandRecords() async throws {
        try await withServer(clock: SystemHTTPClock()) { server, runtime in
            // Precompute pages so the server's JSON encoding isn't what we measure.
            var pages: [Int: [UInt8]] = [:]
            for offset in stride(from: 0, to: 100_000, by: 1000) {
                let next: Any = offset + 1000 < 100_000 ? "c\(offset + 1000)" : NSNull()
                let recs = (offset + 1...offset + 1000).map { ["id": $0, "name": "user-\($0)", "email": "user\($0)@example.com", "active": true, "score": Double($0) / 7] as [String: Any] }
                pages[offset] = TestHTTPResponse.json(["data": recs, "next_cursor": next]).body
            }
            let frozen = pages
            server.route("/big") { r in
                let off = r.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
                return TestHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: frozen[off]!)
            }
            let session = try HTTPSession(config: sessionConfig(#"{"base_url": "\#(server.baseURL)"}"#), runtime: runtime)
            let paginator = try paginatorConfig(#"{"type": "cursor", "cursor_path": "next_cursor", "records_path": "data"}"#)
            let start = DispatchTime.now().uptimeNanoseconds
            let (count, bytes) = try await onThread {
                let it = PageIterator(session: session, request: HTTPRequest(url: "/big"), paginator: paginator)
                var n = 0, b = 0
                while let p = try it.next() { n += p.recordCount ?? 0; b += p.response.body.count }
                return (n, b)
            }
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let t0 = DispatchTime.now().uptimeNanoseconds
            for (_, page) in frozen { _ = try JSONSerialization.jsonObject(with: Data(page)) }
            print("PERF parse-only seconds=\(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)")
            print("PERF records=\(count) bytes=\(bytes) seconds=\(s)")
            #expect(count == 100_000)
        }
    }
}
