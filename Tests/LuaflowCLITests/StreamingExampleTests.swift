import Foundation
import Testing
import TestSupport

/// examples/streaming as its README runs it, against its mock (`mock_stream.py`): two runs of an
/// SSE and a WebSocket source with `max_items`, the second resuming after the first's last item.
@Suite struct StreamingExampleTests {
    @Test func twoRunsReadBothFeedsCompleteInOrderEachItemOnce() throws {
        let dir = try LuaflowBinary.workspace(copying: "streaming")
        let mock = try DocMockAPI(logDirectory: dir, script: "examples/streaming/mock_stream.py")
        defer { mock.stop() }
        try dir.write("pipeline.lua", try dir.read("pipeline.lua").replacingOccurrences(of: "127.0.0.1:8789", with: "127.0.0.1:\(mock.port)"))
        var ticks: [Int] = [], trades: [Int] = []
        for _ in 1...2 {
            let run = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            for line in try dir.read("out/ticks.jsonl").split(separator: "\n") {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let data = try #require(event["data"] as? [String: Any])
                #expect(event["event"] as? String == "tick" && event["id"] as? String == "\(data["n"] as? Int ?? -1)")
                ticks.append(data["n"] as? Int ?? -1)
            }
            for line in try dir.read("out/trades.jsonl").split(separator: "\n") {
                let trade = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                trades.append(trade["seq"] as? Int ?? -1)
            }
        }
        #expect(ticks == Array(1...50))
        #expect(trades == Array(1...50))
        // The second run resumed: its SSE connect named the first run's last event, its WebSocket connect the last cursor.
        #expect(mock.requests.contains("GET /ws?cursor=25 HTTP/1.1"), "\(mock.requests)")
    }
}
