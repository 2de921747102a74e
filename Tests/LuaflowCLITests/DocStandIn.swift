import Foundation
import TestSupport

/// Small APIs that the template pages run their connectors against ("a local stand-in for the API
/// on port 8799"), served by the test server under `/v1`.
enum DocStandIn {
    static func start(_ name: String) throws -> TestHTTPServer {
        let server = try TestHTTPServer.start(standardRoutes: false)
        switch name {
        case "items-cursor":
            // api-source: `limit` records a page, `next_cursor` the offset of the next page.
            server.route("/v1/items") { request in
                let items = sampleItems()
                let limit = request.queryInt("limit") ?? 100
                let start = Int(request.queryValue("cursor") ?? "0") ?? 0
                let end = min(start + limit, items.count)
                return .json(["data": Array(items[start..<end]), "next_cursor": end < items.count ? String(end) as Any : NSNull()])
            }
        case "items-pages":
            // incremental-source: `page`/`per_page`, sorted by updated_at, filtered by `updated_since`.
            server.route("/v1/items") { request in
                let items = sampleItems()
                let since = request.queryValue("updated_since") ?? ""
                let selected = items.filter { ($0["updated_at"] as? String ?? "") >= since }
                let perPage = request.queryInt("per_page") ?? 100
                let start = ((request.queryInt("page") ?? 1) - 1) * perPage
                let end = min(start + perPage, selected.count)
                return .json(["data": start < end ? Array(selected[start..<end]) : [], "has_more": end < selected.count])
            }
        case "items-intake":
            // api-poster-sink: accepts each POSTed record.
            server.route("/v1/items") { request in
                request.method == "POST" ? .json(["ok": true], status: 201) : .text("", status: 405)
            }
        case "click-feed":
            // streaming-source: five click events, at most two a poll, then nothing new.
            server.route("/v1/events") { request in
                let clicks = sampleClicks()
                let after = request.queryValue("after").flatMap { id in clicks.firstIndex { $0["id"] == id } }.map { $0 + 1 } ?? 0
                return .json(["events": Array(clicks[after...].prefix(2))])
            }
        default:
            server.stop()
            throw DocError(description: "no stand-in API named '\(name)'")
        }
        return server
    }

    /// Seven records, one updated a day from 2024-05-01.
    private static func sampleItems() -> [[String: Any]] {
        (1...7).map { ["id": $0, "name": "Item \($0)", "updated_at": String(format: "2024-05-%02dT10:00:00Z", $0)] }
    }

    /// Five click events, `e1` to `e5`.
    private static func sampleClicks() -> [[String: String]] {
        (1...5).map { ["id": "e\($0)", "type": "click"] }
    }
}
