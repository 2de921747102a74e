import Foundation
import LuaflowTesting

/// Routes that misbehave the way real APIs do. `tag` separates counters so tests don't collide;
/// `fail` is how many requests per tag fail before one succeeds.
///
/// - `/retry-after?tag&fail=1&seconds=2[&status=503]` → 429 (or `status`) with `Retry-After: seconds`
/// - `/retry-after-date?tag&fail=1&date=<HTTP-date>` → 429 with `Retry-After: <date>`
/// - `/flaky?tag&fail=3&status=503` → `status` for the first `fail` requests, then 200 `{"attempt": n}`
/// - `/drop?tag&fail=1` → closes the connection without a response for the first `fail` requests
/// - `/slow?delay_ms=2000` → 200 after the delay
/// - `/redirect?to=<url>&status=302` → a redirect to `to`; `/redirect-loop` → redirects to itself
/// - `/echo` → `{"method", "path", "query": {...}, "headers": {lowercased: value}, "body"}`
/// - `/gzip?encoding=gzip|deflate&total=N` → the dataset as JSON, compressed
/// - `/malformed` → 200 with a truncated JSON body
/// - `/status?code=503&body=text` → that status and body
/// - `/idempotent-post` (POST) → 503 for the first request per `Idempotency-Key`, then 201
///   `{"idempotency_key": key, "attempt": n}`
extension TestHTTPServer {
    func installFaultRoutes() {
        @Sendable func failing(_ request: TestHTTPRequest, _ route: String) -> (attempt: Int, fails: Bool) {
            let attempt = hit("\(route):\(request.queryValue("tag") ?? "")")
            return (attempt, attempt <= (request.queryInt("fail") ?? 1))
        }
        route("/retry-after") { request in
            let (attempt, fails) = failing(request, "retry-after")
            guard fails else { return .json(["ok": true, "attempt": attempt]) }
            return .json(["error": "slow down"], status: request.queryInt("status") ?? 429,
                         headers: [("Retry-After", request.queryValue("seconds") ?? "1")])
        }
        route("/retry-after-date") { request in
            let (attempt, fails) = failing(request, "retry-after-date")
            guard fails else { return .json(["ok": true, "attempt": attempt]) }
            return .json(["error": "slow down"], status: 429, headers: [("Retry-After", request.queryValue("date") ?? "")])
        }
        route("/flaky") { request in
            let (attempt, fails) = failing(request, "flaky")
            guard fails else { return .json(["ok": true, "attempt": attempt]) }
            return .text("upstream unavailable (attempt \(attempt))", status: request.queryInt("status") ?? 503)
        }
        route("/drop") { request in
            let (attempt, fails) = failing(request, "drop")
            return fails ? .dropConnection : .json(["ok": true, "attempt": attempt])
        }
        route("/slow") { request in
            TestHTTPResponse.json(["ok": true]).delayed(by: Double(request.queryInt("delay_ms") ?? 1000) / 1000)
        }
        route("/redirect") { request in
            TestHTTPResponse(status: request.queryInt("status") ?? 302, headers: [("Location", request.queryValue("to") ?? "/echo")])
        }
        route("/redirect-loop") { _ in
            TestHTTPResponse(status: 302, headers: [("Location", "/redirect-loop")])
        }
        route("/echo") { request in
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.lowercased()] = value }
            var query: [String: String] = [:]
            for (name, value) in request.query { query[name] = value }
            return .json(["method": request.method, "path": request.path, "query": query, "headers": headers, "body": request.bodyText])
        }
        route("/gzip") { request in
            let total = request.queryInt("total") ?? TestDataset.defaultTotal
            let plain = TestHTTPResponse.json(["data": TestDataset.records(from: 0, count: total, total: total)]).body
            let deflate = request.queryValue("encoding") == "deflate"
            return TestHTTPResponse(status: 200, headers: [("Content-Type", "application/json"), ("Content-Encoding", deflate ? "deflate" : "gzip")],
                                    body: deflate ? Compression.zlib(plain) : Compression.gzip(plain))
        }
        route("/malformed") { _ in
            TestHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array("{\"data\": [1, 2".utf8))
        }
        route("/status") { request in
            .text(request.queryValue("body") ?? "", status: request.queryInt("code") ?? 500)
        }
        route("/idempotent-post") { [self] request in
            guard request.method == "POST" else { return .json(["error": "POST only"], status: 405) }
            let key = request.header("Idempotency-Key") ?? "none"
            let attempt = hit("idempotent-post:\(key)")
            guard attempt > 1 else { return .text("try again", status: 503) }
            return .json(["idempotency_key": key, "attempt": attempt], status: 201)
        }
    }
}
