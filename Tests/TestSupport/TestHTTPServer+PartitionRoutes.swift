import Foundation
import LuaflowTesting

/// Parents and children, for resources read partition by partition.
///
/// - `/repos` → `{"repos": [{"name": "r1"}, ..., {"name": "rN"}]}`, one page
/// - `/repo-issues?repo=rK[&cursor=C][&since=S]` → `{"issues": [...], "next": "C" | null}`: issues
///   `K*100+1 ... K*100+issues` of repository `rK` with ids above `since`, `perPage` a page, each
///   `{"id", "repo"}`, answered `delay` seconds late
extension TestHTTPServer {
    /// Installs both routes; the answer counts how many `/repo-issues` requests were in flight at once.
    public func installRepositoryIssues(repos: Int, issues: Int, perPage: Int, delay: Double) -> InFlightRequests {
        let inFlight = InFlightRequests()
        route("/repos") { _ in .json(["repos": (1...repos).map { ["name": "r\($0)"] }]) }
        route("/repo-issues") { request in
            inFlight.arrived(answeringIn: delay)
            guard let repo = request.queryValue("repo"), repo.first == "r", let k = Int(repo.dropFirst()) else {
                return .json(["error": "repo=rK is required"], status: 400)
            }
            let since = request.queryInt("since") ?? 0
            let ids = (k * 100 + 1...k * 100 + issues).filter { $0 > since }
            let from = request.queryInt("cursor") ?? 0
            let page = ids.dropFirst(from).prefix(perPage)
            let next = from + page.count < ids.count ? "\(from + page.count)" as Any : NSNull()
            return TestHTTPResponse.json(["issues": page.map { ["id": $0, "repo": repo] }, "next": next]).delayed(by: delay)
        }
        return inFlight
    }
}
