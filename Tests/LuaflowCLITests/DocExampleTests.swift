import Foundation
import Testing

/// Every shell example of docs/*.md and docs/templates/*.md, run as a new user following the page
/// would (the convention is in ``DocPage``), with its output compared to the page's (``DocOutput``).
@Suite struct DocExampleTests {
    @Test(arguments: DocPage.all(in: LuaflowBinary.packageRoot))
    func examplesOfPage(_ path: String) throws {
        let text = try String(contentsOf: LuaflowBinary.packageRoot.appendingPathComponent(path), encoding: .utf8)
        let page = try DocPage(path: path, text: text)
        let run = try DocRun()
        run.follow(page)
        let skips = run.skipped.map { "\n  skipped \(path):\($0.line): \($0.reason)" }.joined()
        print("\(path): \(run.ran) shell examples ran, \(run.skipped.count) skipped\(skips)")
        for failure in run.failures {
            Issue.record("\(path):\(failure)")
        }
    }

    @Test func outputMayInterleaveStreamsAndElideLines() {
        let out = ["{\"id\":1}", "{\"id\":2}"], err = ["info one", "node TIME", "done in TIME"]
        #expect(DocOutput.matches(["{\"id\":1}", "info one", "{\"id\":2}", "node TIME", "done in TIME"], stdout: out, stderr: err))
        #expect(DocOutput.matches(["{\"id\":1}", "...", "done in TIME"], stdout: out, stderr: err))
        #expect(!DocOutput.matches(["{\"id\":2}", "{\"id\":1}", "info one", "node TIME", "done in TIME"], stdout: out, stderr: err))
        #expect(!DocOutput.matches(["{\"id\":1}", "{\"id\":2}", "info one", "node TIME"], stdout: out, stderr: err))
    }

    @Test func normalisingKeepsOnlyWhatVaries() {
        #expect(DocOutput.normalise("debug GET http://127.0.0.1:41234/v2 -> 200 (10 ms, 2003 bytes)")
                == "debug GET http://127.0.0.1:PORT/v2 -> 200 (TIME, 2003 bytes)")
        #expect(DocOutput.normalise("orders  source   -    4   12.34s") == "orders source - 4 TIME")
        #expect(DocOutput.normalise("last run: succeeded, started 2026-11-24T04:58:57.212Z")
                == "last run: succeeded, started TIMESTAMP")
        #expect(DocOutput.normalise("{\"time\":\"2024-05-01T10:00:00Z\",\"n\":3}") == "{\"time\":\"2024-05-01T10:00:00Z\",\"n\":3}")
    }

    @Test func diffsApplyHunkByHunk() {
        let text = "a = 1\nb = 2\nc = 3\nd = 4\n"
        #expect(DocDiff.apply(["-a = 1", "+a = 10", "...", " c = 3", "-d = 4", "+d = 40"], to: text)
                == "a = 10\nb = 2\nc = 3\nd = 40\n")
        #expect(DocDiff.apply(["-x = 1", "+x = 2"], to: text) == nil)
    }

    @Test func pagesDeclareFilesCommandsAndSkips() throws {
        let page = try DocPage(path: "t.md", text: """
            `data/a.jsonl`:

            ```jsonl
            {"id": 1}
            ```

            <!-- doctest: skip needs the network -->
            ```sh
            curl https://example.com
            ```

            ```
            $ luaflow run a \\
                --set x=1
            done
            ...
            $ echo $?
            0
            ```
            """)
        #expect(page.steps == [
            .writeFile(path: "data/a.jsonl", content: "{\"id\": 1}\n", line: 3),
            .skipped(reason: "needs the network", line: 8),
            .command(text: "luaflow run a \\\n    --set x=1", expected: ["done", "..."], line: 13),
            .command(text: "echo $?", expected: ["0"], line: 17),
        ])
        #expect(throws: DocError.self) { try DocPage(path: "t.md", text: "<!-- doctest: skip -->\n```sh\nls\n```") }
    }
}
