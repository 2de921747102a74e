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
            // streaming-source: an event stream of five clicks (ids 1 to 5), then silence.
            server.route("/v1/events") { request in
                let after = request.header("Last-Event-ID").flatMap { Int($0) } ?? 0
                return .eventStream(sampleClicks().filter { $0.id > after }.map { "id: \($0.id)\ndata: {\"type\":\"\($0.type)\"}\n\n" })
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

    /// Five click events, ids 1 to 5.
    private static func sampleClicks() -> [(id: Int, type: String)] {
        (1...5).map { ($0, "click") }
    }
}
