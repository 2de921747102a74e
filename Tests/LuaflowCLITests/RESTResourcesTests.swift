import Foundation
import Testing
import LuaflowTesting
import TestSupport

/// `source.http` resources end to end, against `examples/github-like/mock_github.py`: parents and
/// children with pages at both levels, per-partition state under `kill -9`, inclusive `since`
/// filters without duplicates, date windows and `--backfill`, POST/GraphQL paging, response
/// actions, and the paginators of hand-written Lua.
@Suite(.serialized) struct RESTResourcesTests {
    static let mock = "examples/github-like/mock_github.py"

    /// A copy of examples/github-like pointed at `api`, with the token written in and `perPage`
    /// records a page.
    static func exampleWorkspace(_ api: DocMockAPI, perPage: Int = 2) throws -> URL {
        let dir = try LuaflowBinary.workspace(copying: "github-like")
        let pipeline = try dir.read("pipeline.lua")
            .replacingOccurrences(of: "http://127.0.0.1:8788", with: "http://127.0.0.1:\(api.port)")
            .replacingOccurrences(of: "env:GITHUB_TOKEN", with: "gh-demo-token")
            .replacingOccurrences(of: "per_page = 2", with: "per_page = \(perPage)")
        try dir.write("pipeline.lua", pipeline)
        return dir
    }

    static func records(_ dir: URL, _ file: String) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path) else { return [] }
        return try dir.read(file).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// Updates issue `number` of `repo` in the mock and adds a comment to it (POST /_mock/touch).
    static func touch(_ api: DocMockAPI, repo: String, number: Int) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST'))",
                             "http://127.0.0.1:\(api.port)/_mock/touch?repo=\(repo)&number=\(number)"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    /// Issues of acme/api (7), web (5) and docs (3); legacy answers 410 and is skipped. Issue n
    /// has n % 3 comments.
    static let issueCount = 15
    static let commentCount = 16

    @Test func githubExampleReadsRepositoriesIssuesAndCommentsIncrementally() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            let work = try Self.exampleWorkspace(api)
            let first = try LuaflowBinary.run(["run", "pipeline.lua"], in: work)
            #expect(first.exitCode == 0, "\(first.stderr)")
            let issues = try Self.records(work, "out/issues.jsonl")
            let comments = try Self.records(work, "out/comments.jsonl")
            #expect(issues.count == Self.issueCount)
            #expect(comments.count == Self.commentCount)
            #expect(Set(issues.map { $0["_repos_full_name"] as! String }) == ["acme/api", "acme/web", "acme/docs"])
            #expect(comments.allSatisfy { comment in
                let repo = (comment["_repos_full_name"] as! String).replacingOccurrences(of: "acme/", with: "")
                return (comment["body"] as! String).hasSuffix(" on \(repo)#\(comment["_issues_number"] as! Int)")
            })
            // Pages at both levels: the repositories and one repository's issues came in several pages.
            let requests = api.requests
            #expect(requests.contains { $0.hasPrefix("GET /orgs/acme/repos?page=2") })
            #expect(requests.contains { $0.hasPrefix("GET /repos/acme/api/issues?page=3") })
            #expect(!first.stderr.contains("github.repos"), "a parent that is not in the network is no node")

            // Nothing changed: GitHub's inclusive `since` returns each repository's last issues
            // again, and primary_key keeps them out.
            let second = try LuaflowBinary.run(["run", "pipeline.lua"], in: work)
            #expect(second.exitCode == 0, "\(second.stderr)")
            #expect(try Self.records(work, "out/issues.jsonl").count == Self.issueCount, "\(second.stderr)")
            #expect(try Self.records(work, "out/comments.jsonl").count == Self.commentCount)

            try Self.touch(api, repo: "api", number: 3)
            let third = try LuaflowBinary.run(["run", "pipeline.lua"], in: work)
            #expect(third.exitCode == 0, "\(third.stderr)")
            let newIssues = try Self.records(work, "out/issues.jsonl").dropFirst(Self.issueCount)
            let newComments = try Self.records(work, "out/comments.jsonl").dropFirst(Self.commentCount)
            #expect(newIssues.map { $0["number"] as! Int } == [3])
            #expect(newComments.map { $0["body"] as! String } == ["new comment 1"])

            let state = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: work)
            #expect(state.stdout.contains("github.comments  comments"), "\(state.stdout)")
            #expect(state.stdout.contains(#"partition {"issues":{"number":3},"repos":{"full_name":"acme/api"}}"#), "\(state.stdout)")
        }
    }

    @Test func sigkillAtRandomMomentsDeliversEveryChildRecordExactlyOnce() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock, arguments: ["--delay-ms", "15"])
            defer { api.stop() }
            // One record a page: a repository's issues and an issue's comments take several pages,
            // so kills land in the middle of partitions.
            let work = try Self.exampleWorkspace(api, perPage: 1)
            let killed = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: work, times: 7, seed: 17_2026,
                                                          delays: 0.15...1.1)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: work)
            #expect(last.exitCode == 0, "\(last.stderr)")
            let issues = try Self.records(work, "out/issues.jsonl").map { $0["id"] as! Int }
            let comments = try Self.records(work, "out/comments.jsonl").map { $0["id"] as! Int }
            #expect(issues.count == Self.issueCount && Set(issues).count == Self.issueCount, "\(issues)")
            #expect(comments.count == Self.commentCount && Set(comments).count == Self.commentCount, "\(comments)")
            #expect(killed >= 4, "most kills must land inside a run to test anything (\(killed) did)")
        }
    }

    /// Events every 6 hours, read in one-day windows: one request and one checkpoint per window.
    /// The lag re-reads 6 hours before the cursor; the primary key keeps those events out.
    static func eventsPipeline(_ port: Int, endValue: String) -> String {
        """
        local api = source.http {
          name = "api", base_url = "http://127.0.0.1:\(port)", auth = { bearer = "gh-demo-token" },
          resources = { events = {
            path = "/events", records_path = "events", primary_key = "id",
            incremental = { cursor_field = "created_at", initial_value = "2024-01-01T00:00:00Z", end_value = "\(endValue)", lag = 21600,
                            window = "P1D", start_param = "start_time", end_param = "end_time" },
          } },
        }
        network { { api.events, sink.file { path = "out/events.jsonl", mode = "append" } } }
        """
    }

    @Test func dateWindowsAndABackfillThatLeavesTheLiveCursorAlone() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            try dir.write("pipeline.lua", Self.eventsPipeline(api.port, endValue: "2024-01-05T00:00:00Z"))
            let first = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(first.exitCode == 0, "\(first.stderr)")
            #expect(try Self.records(dir, "out/events.jsonl").count == 16)
            let windows = api.requests.filter { $0.hasPrefix("GET /events") }
            #expect(windows.count == 4, "one request per day: \(windows)")
            #expect(windows.first?.contains("start_time=2024-01-01T00%3A00%3A00Z") == true, "\(windows)")
            let live = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir).stdout
            #expect(live.contains("2024-01-04T18:00:00Z"), "\(live)")

            let backfill = try LuaflowBinary.run(["run", "pipeline.lua", "--backfill", "2024-01-07T00:00:00Z..2024-01-09T00:00:00Z"], in: dir)
            #expect(backfill.exitCode == 0, "\(backfill.stderr)")
            let all = try Self.records(dir, "out/events.jsonl")
            #expect(all.dropFirst(16).map { $0["created_at"] as! String }.first == "2024-01-07T00:00:00Z")
            #expect(all.count == 24)
            let state = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir).stdout
            #expect(state.contains("events backfill 2024-01-07T00:00:00Z..2024-01-09T00:00:00Z"), "\(state)")
            #expect(state.contains(#"{"keys":{"84":"2024-01-04T12:00:00Z","90":"2024-01-04T18:00:00Z"},"value":"2024-01-04T18:00:00Z"}"#),
                    "the live cursor did not move, and keeps the keys of the lag: \(state)")

            // The live stream goes on from its cursor less the lag: the events read again are not sent again.
            try dir.write("pipeline.lua", Self.eventsPipeline(api.port, endValue: "2024-01-06T00:00:00Z"))
            let next = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(next.exitCode == 0, "\(next.stderr)")
            #expect(try Self.records(dir, "out/events.jsonl").dropFirst(24).map { $0["created_at"] as! String }
                    == ["2024-01-05T00:00:00Z", "2024-01-05T06:00:00Z", "2024-01-05T12:00:00Z", "2024-01-05T18:00:00Z"])
            #expect(api.requests.filter { $0.hasPrefix("GET /events") }.dropFirst(6).first?
                        .contains("start_time=2024-01-04T12%3A00%3A00Z") == true, "\(api.requests)")

            let refused = try LuaflowBinary.run(["run", "pipeline.lua", "--backfill", "2024-01-07"], in: dir)
            #expect(refused.exitCode != 0)
            #expect(refused.stderr.contains("--backfill must be FROM..TO"), "\(refused.stderr)")
        }
    }

    @Test func graphQLCursorPagingInTheJSONBody() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            try dir.write("pipeline.lua", """
            local gql = source.http {
              name = "gql", base_url = "http://127.0.0.1:\(api.port)", auth = { bearer = "gh-demo-token" },
              resources = { issues = {
                path = "/graphql", method = "POST", partitions = { "api", "web" },
                json = { query = "query($owner: String!, $name: String!, $first: Int, $after: String) { ... }",
                         variables = { owner = "acme", name = "{partition}", first = 2 } },
                paginator = { type = "cursor", cursor_path = "data.repository.issues.pageInfo.endCursor",
                              has_more_path = "data.repository.issues.pageInfo.hasNextPage", inject = "json:variables.after" },
                records_path = "data.*.issues.nodes",
              } },
            }
            network { { gql.issues, sink.file { path = "out/issues.jsonl" } } }
            """)
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            let titles = try Self.records(dir, "out/issues.jsonl").map { $0["title"] as! String }
            #expect(titles == (1...7).map { "api issue \($0)" } + (1...5).map { "web issue \($0)" })
            #expect(api.requests.filter { $0.hasPrefix("POST /graphql") }.count == 7, "4 pages of api, 3 of web")
        }
    }

    @Test func responseActionsRetryOnContentAndSkipOnStatus() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            func pipeline(_ tag: String, actions: String) -> String {
                """
                local limited = source.http {
                  name = "limited", base_url = "http://127.0.0.1:\(api.port)", auth = { bearer = "gh-demo-token" },
                  path = "/rate_limited", params = { tag = "\(tag)" }, retry = { base_delay = 0.01 },
                  response_actions = \(actions),
                }
                network { { limited, sink.file { path = "out/limited.jsonl" } } }
                """
            }
            try dir.write("pipeline.lua", pipeline("a", actions: #"{ { content = "rate limit exceeded", action = "retry" } }"#))
            let retried = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(retried.exitCode == 0, "\(retried.stderr)")
            #expect(retried.stderr.contains("status 403 matches a response action; retry 1 of 4"), "\(retried.stderr)")
            #expect(try Self.records(dir, "out/limited.jsonl").count == 1)

            try dir.write("pipeline.lua", pipeline("b", actions: "{ { status = 404, action = \"skip\" } }"))
            let failed = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(failed.exitCode == 1)
            #expect(failed.stderr.contains("[auth] GET"), "without a matching rule the default handling applies: \(failed.stderr)")

            try dir.write("pipeline.lua", pipeline("c", actions: "{ { status = { 403, 410 }, action = \"skip\" } }"))
            let skipped = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(skipped.exitCode == 0, "\(skipped.stderr)")
            #expect(try dir.read("out/limited.jsonl").isEmpty)
        }
    }

    @Test func filterAndMapRunInTheSourceAndShapeWhichChildrenAreRead() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            try dir.write("pipeline.lua", """
            local gh = source.http {
              name = "gh", base_url = "http://127.0.0.1:\(api.port)", auth = { bearer = "gh-demo-token" },
              paginator = { type = "link_header" },
              resources = {
                repos = { path = "/orgs/acme/repos", filter = function(repo) return repo.name == "api" end },
                issues = {
                  path = "/repos/{+repos.full_name}/issues",
                  filter = function(issue) return issue.number <= 3 end,
                  map = function(issue) return { number = issue.number, title = string.upper(issue.title) } end,
                },
                comments = { path = "/repos/{+repos.full_name}/issues/{issues.number}/comments" },
              },
            }
            network {
              { gh.issues, sink.file { path = "out/issues.jsonl" } },
              { gh.comments, sink.file { path = "out/comments.jsonl" } },
            }
            """)
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(try Self.records(dir, "out/issues.jsonl").map { $0["title"] as! String } == ["API ISSUE 1", "API ISSUE 2", "API ISSUE 3"])
            #expect(try Self.records(dir, "out/comments.jsonl").map { $0["body"] as! String }
                    == ["comment 1 on api#1", "comment 1 on api#2", "comment 2 on api#2"])
            #expect(!api.requests.contains { $0.contains("/repos/acme/web/") }, "a filtered parent has no children read")

            try dir.write("pipeline.lua", """
            local wanted = 3
            local gh = source.http { base_url = "http://127.0.0.1:1", path = "/i", filter = function(r) return r.n == wanted end }
            network { { gh, sink.stdout {} } }
            """)
            let local_ = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(local_.exitCode == 2)
            #expect(local_.stderr.contains("the function filter uses the local variable 'wanted' from pipeline.lua"), "\(local_.stderr)")
        }
    }

    @Test func linkNextAndPaginatorsFromHandWrittenLua() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            let api = try DocMockAPI(logDirectory: dir, script: Self.mock)
            defer { api.stop() }
            try dir.write("repos.lua", """
            local gh
            function init() gh = http.session { base_url = "http://127.0.0.1:\(api.port)", auth = { bearer = "gh-demo-token" } } end
            function get(pagination)
              local res = gh:get(pagination.url or "/orgs/acme/repos?per_page=3")
              local next_url = http.link_next(res)
              return res:json(), next_url and { url = next_url } or nil
            end
            """)
            try dir.write("pipeline.lua", #"network { { source("repos.lua"), sink.file { path = "out/repos.jsonl" } } }"#)
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(try Self.records(dir, "out/repos.jsonl").map { $0["name"] as! String } == ["api", "web", "docs", "legacy"])
        }
    }

    @Test func resourceMistakesAreReportedAtThePipelineLine() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", """
            local gh = source.http {
              base_url = "http://127.0.0.1:1",
              resources = { issues = { path = "/repos/{repo.full_name}/issues", paginator = { type = "link_header" } } },
            }
            network { { gh.issues, sink.stdout {} } }
            """)
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode != 0)
            #expect(run.stderr.contains("node 'http.issues' (init): resources.issues: {repo.…} names no resource (resources: issues)"), "\(run.stderr)")
            try dir.write("pipeline.lua", """
            local gh = source.http { base_url = "http://127.0.0.1:1", resources = { issues = { path = "/i" } } }
            network { { gh, sink.stdout {} } }
            """)
            let group = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
            #expect(group.stderr.contains("expected a node, got the resources of a source.http (use one resource's node, such as http.issues)"), "\(group.stderr)")
            try dir.write("pipeline.lua", """
            local gh = source.http { name = "gh", base_url = "http://127.0.0.1:1", resources = { issues = { path = "/i" }, repos = { path = "/r" } } }
            network { { gh.isues, sink.stdout {} } }
            """)
            let typo = try LuaflowBinary.run(["check", "pipeline.lua"], in: dir)
            #expect(typo.stderr.contains("pipeline.lua:2: source.http 'gh' has no resource 'isues' (resources: issues, repos)"), "\(typo.stderr)")
        }
    }

    /// Parent records holding values that would reshape a URL, and what each child request's
    /// path must be (RFC 3986 percent-encoding, written out by hand).
    static let hostile: [(name: String, segment: String)] = [
        ("a/b", "a%2Fb"), ("../admin", "..%2Fadmin"), ("..", "%2E%2E"), ("x?y=1", "x%3Fy%3D1"), ("h#frag", "h%23frag"),
        ("p%2Fq", "p%252Fq"), ("sp ace", "sp%20ace"), ("a\r\nX-Injected: 1", "a%0D%0AX-Injected%3A%201"),
        ("nul\u{0}x", "nul%00x"), ("ünï", "%C3%BCn%C3%AF"),
    ]

    /// A server whose `/parents` lists `names` (with `full` = "acme/<i>"); every other path is 404.
    static func parentServer(_ names: [String]) throws -> TestHTTPServer {
        let server = try TestHTTPServer.start(standardRoutes: false)
        server.route("/parents") { _ in
            .json(["items": names.enumerated().map { ["name": $0.element, "full": "acme/r\($0.offset)"] }])
        }
        return server
    }

    static func hostilePipeline(_ server: TestHTTPServer, path: String, headers: String = "{}") -> String {
        """
        local api = source.http {
          name = "api", base_url = "\(server.baseURL)",
          resources = {
            parents = { path = "/parents", records_path = "items" },
            children = { path = "\(path)", headers = \(headers), params = { q = "{parents.name}" },
                         response_actions = { { status = 404, action = "skip" } } },
          },
        }
        network { { api.children, sink.file { path = "out/children.jsonl" } } }
        """
    }

    @Test func valuesFromParentRecordsAreEncodedAsOnePathSegment() async throws {
        try await onThread {
            let server = try Self.parentServer(Self.hostile.map(\.name))
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.hostilePipeline(server, path: "/p/{parents.name}/items"))
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            let sent = server.requests.filter { $0.path != "/parents" }
            #expect(sent.count == Self.hostile.count)
            for (request, value) in zip(sent, Self.hostile) {
                #expect(request.path == "/p/\(value.segment)/items", "\(value.name.debugDescription) became \(request.uri)")
                #expect(request.queryValue("q") == value.name, "the query keeps the value, encoded once")
                #expect(request.header("X-Injected") == nil)
            }
        }
    }

    @Test func aReservedExpansionKeepsSlashesButNotDotSegmentsAndLongValuesAreRefused() async throws {
        try await onThread {
            let server = try Self.parentServer(["ok"])
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.hostilePipeline(server, path: "/repos/{+parents.full}/issues"))
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(server.requests.map(\.path) == ["/parents", "/repos/acme/r0/issues"])

            for (names, path, expected) in [
                (["../../admin"], "/repos/{+parents.name}/issues", "resources.children.path: {+parents.name} holds a '..' segment"),
                ([String(repeating: "x", count: 5000)], "/p/{parents.name}", "resources.children.path: {parents.name}: the value is 5000 bytes, more than the 2048 a path segment may hold"),
            ] {
                let other = try Self.parentServer(names)
                defer { other.stop() }
                try dir.write("pipeline.lua", Self.hostilePipeline(other, path: path))
                let refused = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
                #expect(refused.exitCode == 1, "\(refused.stderr)")
                #expect(refused.stderr.contains(expected), "\(refused.stderr)")
                #expect(refused.stderr.contains("api.children"), "the error names the node: \(refused.stderr)")
                #expect(other.requests.allSatisfy { $0.path == "/parents" }, "nothing was sent for the refused value")
            }
        }
    }

    @Test func aHeaderBuiltFromARecordCannotCarryALineBreak() async throws {
        try await onThread {
            let server = try Self.parentServer(["a\r\nX-Injected: 1"])
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("pipeline.lua", Self.hostilePipeline(server, path: "/c", headers: #"{ ["X-Parent"] = "{parents.name}" }"#))
            let run = try LuaflowBinary.run(["run", "pipeline.lua"], in: dir)
            #expect(run.exitCode == 1, "\(run.stderr)")
            #expect(run.stderr.contains("resources.children.headers: {parents.name} holds a line break or NUL"), "\(run.stderr)")
            #expect(server.requests(path: "/c").isEmpty)
        }
    }
}
