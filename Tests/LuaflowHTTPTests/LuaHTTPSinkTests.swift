import Foundation
import LuaflowCore
import Testing
import TestSupport

@Suite struct LuaHTTPSinkTests {
    @Test func sinkHTTPPostsBatchesAndRetriesEachWithTheSameIdempotencyKey() async throws {
        let server = try TestHTTPServer.start()
        let h = try LuaPipelineHarness()
        try h.write("pipeline.lua", """
        local items = {}
        for i = 1, 25 do items[i] = { id = i } end
        network { { source.list { items = items },
                    sink.http { name = "post", url = "\(server.baseURL)/idempotent-post", batch_size = 10,
                                retry = { base_delay = 0.01 } } } }
        """)
        let summary = try await h.run()
        let posts = server.requests(path: "/idempotent-post")
        #expect(posts.count == 6) // 3 batches, each failing once with 503 then accepted
        let keys = posts.map { $0.header("Idempotency-Key") ?? "" }
        #expect(Set(keys).count == 3)
        for key in Set(keys) { #expect(keys.filter { $0 == key }.count == 2) }
        let sizes = Set(keys).map { key in
            (try? JSONSerialization.jsonObject(with: Data(posts.last { $0.header("Idempotency-Key") == key }!.body)) as? [Any])?.count ?? -1
        }
        #expect(sizes.sorted() == [5, 10, 10])
        #expect(summary.row("post")?.retries == 3)
        #expect(summary.row("post")?.recordsIn == 25)
        await server.stop()
    }
}
