import Foundation
import Testing
import TestSupport

/// Partitioned sources and `pages:position()` under `kill -9`: each partition, and each walk
/// through an API's pages, goes on from its last checkpoint, and the published output holds every
/// record exactly once.
@Suite(.serialized) struct PartitionResumeTests {
    /// A source over four accounts of the test server's `/cursor` route (`total` records each,
    /// 5 per page, each page `delay_ms` late), walked with session:paginate and resumed from
    /// `pages:position()`. Incremental: a new walk starts after the partition's `state.cursor`
    /// (the route's cursor `cN` skips N records). Records carry their account and page number.
    static func accountsSource(total: Int, delayMS: Int) -> String {
        """
        schema = { base_url = { type = "string", required = true } }
        cursor_field = "id"
        local session, pages, account
        function init() session = http.session { base_url = config.base_url } end
        function partitions()
          return { { account = "a" }, { account = "b" }, { account = "c" }, { account = "d" } }
        end
        function get(pagination, state)
          if account ~= state.partition.account then
            account = state.partition.account
            local after = state.cursor and "c" .. state.cursor or nil
            pages = session:paginate {
              path = "/cursor", query = { total = \(total), limit = 5, delay_ms = \(delayMS), account = account, cursor = after },
              paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "meta.next_cursor", has_more_path = "has_more" },
              records_path = "data", from = pagination.position,
            }
          end
          local page = pages()
          if page == nil then return nil end
          for _, r in ipairs(page.records) do r.account, r.page = account, page.number end
          local position = pages:position()
          if position.done then return page.records, nil end
          return page.records, { position = position }
        end
        """
    }

    @Test func sigkillAtRandomMomentsResumesEveryPartitionExactlyOnce() async throws {
        try await onThread {
            let total = 120
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("accounts.lua", Self.accountsSource(total: total, delayMS: 25))
            try dir.write("pipeline.lua", """
            network { { source("accounts.lua", { base_url = "\(server.baseURL)" }), sink.file { path = "out.jsonl", mode = "append" } } }
            """)
            let killedMidRun = try LuaflowBinary.killRepeatedly(["run", "pipeline.lua", "-q"], in: dir, times: 15, seed: 20261130,
                                                                    delays: 0.05...0.7)
            let last = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(last.exitCode == 0, "\(last.stderr)")
            let records = try dir.read("out.jsonl").split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            let keys = records.map { "\($0["account"] as! String):\($0["id"] as! Int)" }
            #expect(keys == ["a", "b", "c", "d"].flatMap { a in (1...total).map { "\(a):\($0)" } },
                    "every record of every partition exactly once, in declared order")
            #expect(records.allSatisfy { ($0["page"] as! Int) == (($0["id"] as! Int) + 4) / 5 }, "page numbers go on across resumes")
            let finished = 16 - killedMidRun
            #expect(killedMidRun >= 10, "most kills must land inside a run to test anything (\(killedMidRun) did)")
            // Runs resumed mid-walk: far fewer pages were fetched than 16 runs from scratch would
            // (16 × 96); a run after a finished one asks each account once for what is new.
            let requests = server.requests(path: "/cursor")
            let firstPages = requests.filter { $0.queryValue("cursor") == nil }.count
            print("partition crash test: \(killedMidRun) runs killed mid-run, \(firstPages) first pages, \(requests.count) pages fetched")
            #expect(requests.count <= 96 + 3 * killedMidRun + 4 * finished, "\(requests.count) pages fetched for 96")
            #expect(firstPages <= 4 + killedMidRun / 2, "\(firstPages) walks started from a first page")
        }
    }

    /// A kill in the middle of partition b: `state show` lists the partitions under their node,
    /// a finished and done, b at its pagination; the rerun does not read a again.
    @Test func stateShowListsPartitionsAndAFinishedOneIsNotReadAgain() async throws {
        try await onThread {
            let dir = try LuaflowBinary.workspace()
            try dir.write("src.lua", """
            function partitions() return { { account = "a" }, { key = "b-key", account = "b" }, { account = "c" } } end
            function get(pagination, state)
              local account, page = state.partition.account, pagination.page or 1
              local log = io.open("calls.log", "a"); log:write(account, page, "\\n"); log:close()
              if page > 3 then return nil end
              if account == "b" and page == 3 and not io.open("resumed") then
                io.open("started", "w"):close()
                local t = os.clock() + 30
                while os.clock() < t do end
              end
              return { { account = account, page = page } }, { page = page + 1 }
            end
            """)
            try dir.write("pipeline.lua", #"network { { source("src.lua", { instruction_limit = 0 }), sink.file { path = "out.jsonl" } } }"#)
            // Killed once b's second page is committed (page 3 spins): no fixed delay to miss under load.
            let bCommitted = { () -> Bool in
                let show = try? LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
                return show?.stdout.split(separator: "\n").contains { $0.contains("partition b-key") && $0.contains(#"{"page":3}"#) } ?? false
            }
            let killed = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir, signal: (SIGKILL, 0), startedFile: "started", ready: bCommitted)
            #expect(killed.exitedAfterSignal != nil, "the run ended before it was killed: \(killed.stderr)")

            let show = try LuaflowBinary.run(["state", "show", "pipeline.lua"], in: dir)
            #expect(show.exitCode == 0, "\(show.stderr)")
            let lines = show.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
            #expect(lines.contains(#"partition {"account":"a"} - done 3"#), "\(show.stdout)")
            #expect(lines.contains(#"partition b-key - {"page":3} 2"#), "\(show.stdout)")
            #expect(lines.contains(#"partition {"account":"c"} - - 0"#), "\(show.stdout)")

            let json = try LuaflowBinary.run(["state", "show", "pipeline.lua", "--json"], in: dir)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            let stream = try #require((object["streams"] as? [[String: Any]])?.first)
            let partitions = try #require(stream["partitions"] as? [[String: Any]])
            #expect(partitions.map { $0["key"] as? String } == [#"{"account":"a"}"#, "b-key", #"{"account":"c"}"#])
            #expect(partitions.map { $0["done"] as? Bool } == [true, false, false])
            #expect((partitions[1]["pagination"] as? [String: Any])?["page"] as? Int == 3)
            #expect((partitions[1]["partition"] as? [String: Any])?["account"] as? String == "b")
            #expect(partitions.map { $0["records"] as? Int } == [3, 2, 0])

            try FileManager.default.removeItem(at: dir.appendingPathComponent("calls.log"))
            try dir.write("resumed", "")
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try dir.read("calls.log") == "b3\nb4\nc1\nc2\nc3\nc4\n", "a is not read again; b goes on at page 3")
            let out = try dir.read("out.jsonl").split(separator: "\n").map {
                let r = try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
                return "\(r["account"] as! String)\(r["page"] as! Int)"
            }
            #expect(out == ["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"])
        }
    }

    /// A Lua source that hands `pages:position()` back as its pagination continues the walk at
    /// the page after its last checkpoint when a killed run is resumed.
    @Test func pagesPositionResumesAWalkMidWayAfterAKill() async throws {
        try await onThread {
            let total = 200
            let server = try TestHTTPServer.start()
            defer { server.stop() }
            let dir = try LuaflowBinary.workspace()
            try dir.write("api.lua", """
            schema = { base_url = { type = "string", required = true } }
            local pages
            function get(pagination, state)
              if pages == nil then
                pages = http.session({ base_url = config.base_url }):paginate {
                  path = "/cursor", query = { total = \(total), limit = 5, delay_ms = 20 },
                  paginator = { type = "cursor", cursor_param = "cursor", cursor_path = "meta.next_cursor", has_more_path = "has_more" },
                  records_path = "data", from = pagination.position,
                }
              end
              local page = pages()
              if page == nil then return nil end
              if page.number == 4 then io.open("started", "w"):close() end
              for _, r in ipairs(page.records) do r.page = page.number end
              local position = pages:position()
              return page.records, not position.done and { position = position } or nil
            end
            """)
            try dir.write("pipeline.lua", """
            network { { source("api.lua", { base_url = "\(server.baseURL)" }), sink.file { path = "out.jsonl" } } }
            """)
            #expect(try LuaflowBinary.runKilled(["run", "pipeline.lua", "-q"], in: dir, after: 0.1, startedFile: "started"))
            let killedAfter = server.requests(path: "/cursor").count
            server.clearLog()
            let rerun = try LuaflowBinary.run(["run", "pipeline.lua", "-q"], in: dir)
            #expect(rerun.exitCode == 0, "\(rerun.stderr)")
            #expect(try dir.ids(in: "out.jsonl") == Array(1...total), "every record exactly once, in order")
            #expect(try dir.ids(in: "out.jsonl", field: "page") == (1...total).map { ($0 + 4) / 5 }, "page numbers go on")
            let resumedAt = try #require(server.requests(path: "/cursor").first?.queryValue("cursor"))
            let offset = try #require(Int(resumedAt.dropFirst()))
            #expect(offset >= 5 && offset <= 5 * killedAfter, "resumed at \(resumedAt) after \(killedAfter) pages, not at the first page")
            #expect(server.requests(path: "/cursor").count == (total - offset) / 5)
        }
    }
}
