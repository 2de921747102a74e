import Foundation
import LuaflowTesting

/// Every pagination style over ``TestDataset``; `total` (default 25) sets the number of records.
///
/// - `/cursor?limit=10&cursor=…[&delay_ms=40]` → `{"data": [...], "meta": {"next_cursor": "c10" | null}, "has_more": bool}`
///   (`delay_ms` answers each page that late, so a test can kill a run between pages)
/// - `/offset?offset=0&limit=10[&max_limit=5]` → `{"data": [...], "total": N}` (`max_limit` caps the page like real APIs do)
/// - `/page?page=1&per_page=10` → `{"items": [...], "page": p, "total_pages": P}`
/// - `/next_url?offset=0&limit=10[&relative=1]` → `{"results": [...], "links": {"next": url | null}}`
/// - `/link?page=1&per_page=10` → a JSON array, with `Link: <…>; rel="next", <…>; rel="last"` (+ first/prev)
/// - `/cursor-repeat` → records and always `{"next_cursor": "same"}`
/// - `/page-ignored` → the first page whatever `page` says
/// - `/handoff?id=1[&to=URL]` → `{"results": [{"id": 1}], "links": {"next": URL | null}}`, with
///   `Link: <URL>; rel="next"`: a page whose next page is anywhere, another origin included
/// - `/echo-link?page=1&per_page=10` → like `/link`, but the next link repeats every query
///   parameter of the request (credentials included, as some APIs do)
extension TestHTTPServer {
    func installPaginationRoutes() {
        route("/cursor") { request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let limit = request.queryInt("limit") ?? 10
            let offset = request.queryValue("cursor").flatMap { Int($0.dropFirst()) } ?? 0
            let records = TestDataset.records(from: offset, count: limit, total: total)
            let next = offset + records.count
            let more = next < total && !records.isEmpty
            return TestHTTPResponse.json(["data": records, "meta": ["next_cursor": more ? "c\(next)" as Any : NSNull()], "has_more": more])
                .delayed(by: Double(request.queryInt("delay_ms") ?? 0) / 1000)
        }
        route("/offset") { request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            var limit = request.queryInt("limit") ?? 10
            if let cap = request.queryInt("max_limit") { limit = min(limit, cap) }
            let records = TestDataset.records(from: request.queryInt("offset") ?? 0, count: limit, total: total)
            return .json(["data": records, "total": total])
        }
        route("/page") { request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let size = request.queryInt("per_page") ?? 10
            let page = request.queryInt("page") ?? 1
            let records = TestDataset.records(from: (page - 1) * size, count: size, total: total)
            return .json(["items": records, "page": page, "total_pages": (total + size - 1) / size])
        }
        route("/next_url") { [baseURL] request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let limit = request.queryInt("limit") ?? 10
            let offset = request.queryInt("offset") ?? 0
            let records = TestDataset.records(from: offset, count: limit, total: total)
            var next: Any = NSNull()
            if offset + records.count < total && !records.isEmpty {
                let relative = request.queryValue("relative") == "1"
                let path = "/next_url?total=\(total)&limit=\(limit)&offset=\(offset + records.count)" + (relative ? "&relative=1" : "")
                next = relative ? path : baseURL + path
            }
            return .json(["results": records, "links": ["next": next]])
        }
        route("/link") { [baseURL] request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let size = request.queryInt("per_page") ?? 10
            let page = request.queryInt("page") ?? 1
            let last = max(1, (total + size - 1) / size)
            func url(_ p: Int) -> String { "\(baseURL)/link?total=\(total)&per_page=\(size)&page=\(p)" }
            var links = ["<\(url(1))>; rel=\"first\"", "<\(url(last))>; rel=\"last\"; title=\"last, final\""]
            if page > 1 { links.append("<\(url(page - 1))>; rel=prev") }
            if page < last { links.insert("<\(url(page + 1))>; rel=\"next\"", at: 1) }
            let records = TestDataset.records(from: (page - 1) * size, count: size, total: total)
            return .json(records, headers: [("Link", links.joined(separator: ", "))])
        }
        route("/cursor-repeat") { _ in
            .json(["data": TestDataset.records(from: 0, count: 2, total: 2), "next_cursor": "same"])
        }
        route("/page-ignored") { _ in
            .json(["items": TestDataset.records(from: 0, count: 10, total: 100)])
        }
        route("/handoff") { request in
            let records = [["id": request.queryInt("id") ?? 1]]
            guard let next = request.queryValue("to") else { return .json(["results": records, "links": ["next": NSNull()]]) }
            return .json(["results": records, "links": ["next": next]], headers: [("Link", "<\(next)>; rel=\"next\"")])
        }
        route("/echo-link") { [baseURL] request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let size = request.queryInt("per_page") ?? 10
            let page = request.queryInt("page") ?? 1
            let records = TestDataset.records(from: (page - 1) * size, count: size, total: total)
            guard page * size < total else { return .json(records) }
            let query = request.query.filter { $0.0 != "page" } + [("page", String(page + 1))]
            let next = baseURL + request.path + "?" + query.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            return .json(records, headers: [("Link", "<\(next)>; rel=\"next\"")])
        }
    }
}
