import Foundation
import Testing
@testable import LuaflowCore

@Suite struct FileConnectorTests {
    @Test func csvFollowsRFC4180WithBOMQuotesAndEmbeddedNewlines() throws {
        let ws = try Workspace()
        try ws.write("in.csv", "\u{FEFF}id,name,note\r\n1,\"Lin, Mei\",\"says \"\"hi\"\"\"\r\n2,Bo,\"two\nlines\"\r\n")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.csv" }, sink.file { path = "out.jsonl" } } }"#)
        try ws.run()
        let records = try ws.records("out.jsonl")
        #expect(records.count == 2)
        #expect(records[0]["id"] as? String == "1")
        #expect(records[0]["name"] as? String == "Lin, Mei")
        #expect(records[0]["note"] as? String == "says \"hi\"")
        #expect(records[1]["note"] as? String == "two\nlines")
    }

    @Test func csvSinkQuotesFieldsAndKeepsTheFirstRecordsKeyOrder() throws {
        let ws = try Workspace()
        try ws.write("in.csv", "b,a\n\"x,y\",1\n\"q\"\"uote\",2\n")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.csv" }, sink.file { path = "out.csv" } } }"#)
        try ws.run()
        #expect(try ws.read("out.csv") == "b,a\n\"x,y\",1\n\"q\"\"uote\",2\n")
    }

    @Test func jsonFidelityNullEmptyArraysAndNumbersSurviveALuaTransform() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"a":null,"b":[],"c":{},"d":1,"e":1.0,"f":1e300,"g":[1,null,"x"],"h":"ünï ✓"}"# + "\n")
        try ws.write("pipeline.lua", """
        local t = transform(function(r) r.touched = true; return r end)
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        try ws.run()
        let line = try ws.read("out.jsonl")
        #expect(!line.contains(#""d":1."#))
        for part in [#""a":null"#, #""b":[]"#, #""c":{}"#, #""d":1"#, #""e":1.0"#, #""f":1e300"#, #""g":[1,null,"x"]"#, #""h":"ünï ✓""#, #""touched":true"#] {
            #expect(line.contains(part), "missing \(part) in \(line)")
        }
    }

    @Test func jsonArrayFilesAreSplitIntoRecordsAndWrittenBack() throws {
        let ws = try Workspace()
        try ws.write("in.json", """
        [
          {"id": 1, "tags": ["a", "b"]},
          {"id": 2, "text": "has ] and , inside"}
        ]
        """)
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.json" }, sink.file { path = "out.json" } } }"#)
        try ws.run()
        let array = try JSONSerialization.jsonObject(with: Data(try ws.read("out.json").utf8)) as! [[String: Any]]
        #expect(array.count == 2)
        #expect(array[1]["text"] as? String == "has ] and , inside")
    }

    @Test func emptyInputsWriteValidEmptyOutputs() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", "\n\n")
        try ws.write("pipeline.lua", """
        local s = source.file { path = "in.jsonl" }
        network { { s, sink.file { path = "out.json" } }, { s, sink.file { path = "out.jsonl" } } }
        """)
        try ws.run()
        #expect(try ws.read("out.json") == "[]\n")
        #expect(try ws.read("out.jsonl") == "")
    }

    @Test(arguments: ["empty.csv", "empty.json", "empty.jsonl", "empty.txt"])
    func emptyFilesAreZeroRecords(file: String) throws {
        let ws = try Workspace()
        try ws.write(file, file.hasSuffix(".json") ? "  \n" : "")
        try ws.write("pipeline.lua", #"network { { source.file { path = "\#(file)" }, sink.file { path = "out.jsonl" } } }"#)
        let summary = try ws.run()
        #expect(summary.row(file)?.recordsOut == 0)
        #expect(try ws.read("out.jsonl") == "")
    }

    @Test func textLinesBecomeRecordsAndTxtSinksWriteAField() throws {
        let ws = try Workspace()
        try ws.write("in.txt", "first line\r\n\nsecond \"quoted\"\n")
        try ws.write("pipeline.lua", """
        local s = source.file { path = "in.txt" }
        local up = transform(function(r) r.line = r.line:upper(); return r end)
        network { { s, up }, { up, sink.file { path = "out.txt" } }, { s, sink.file { path = "raw.jsonl" } } }
        """)
        try ws.run()
        #expect(try ws.read("out.txt") == "FIRST LINE\nSECOND \"QUOTED\"\n")
        #expect(try ws.records("raw.jsonl").map { $0["line"] as? String } == ["first line", "second \"quoted\""])
    }

    @Test func maxItemsStopsAFileSourceEarly() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", (1...100).map { #"{"i":\#($0)}"# }.joined(separator: "\n"))
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.jsonl", max_items = 7 }, sink.file { path = "out.jsonl" } } }"#)
        let summary = try ws.run()
        #expect(try ws.records("out.jsonl").count == 7)
        #expect(summary.row("in.jsonl")?.recordsOut == 7)
    }

    @Test func largeInputsStreamThroughManyBatches() throws {
        let ws = try Workspace()
        let line = #"{"id":1,"payload":""# + String(repeating: "x", count: 500) + "\"}\n"
        try ws.write("in.jsonl", String(repeating: line, count: 6000))
        try ws.write("pipeline.lua", """
        local t = transform(function(r) r.id = r.id + 1; return r end)
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        let summary = try ws.run()
        #expect(summary.row("inline")?.recordsIn == 6000)
        #expect(try ws.read("out.jsonl").split(separator: "\n").count == 6000)
    }

    @Test func previousOutputStaysIntactWhenARunFails() throws {
        let ws = try Workspace()
        try ws.write("out.jsonl", "previous\n")
        try ws.write("in.jsonl", #"{"i":1}"# + "\n" + #"{"i":2}"# + "\n")
        try ws.write("pipeline.lua", """
        local t = transform(function(r) if r.i == 2 then error("bad record") end return r end)
        network { { source.file { path = "in.jsonl" }, t }, { t, sink.file { path = "out.jsonl" } } }
        """)
        #expect(ws.failure() != nil)
        #expect(try ws.read("out.jsonl") == "previous\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.root.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func configuredCSVColumnsSelectFieldsAndInferredColumnsCatchNewFields() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"a":1,"b":2}"# + "\n")
        try ws.write("pipeline.lua", #"network { { source.file { path = "in.jsonl" }, sink.file { path = "a.csv", columns = { "a" } } } }"#)
        try ws.run()
        #expect(try ws.read("a.csv") == "a\n1\n")
    }

    @Test func noSinkPublishesWhenAnotherSinkFails() throws {
        let ws = try Workspace()
        try ws.write("in.jsonl", #"{"a":1}"# + "\n" + #"{"a":2,"b":2}"# + "\n")
        try ws.write("pipeline.lua", """
        local s = source.file { path = "in.jsonl" }
        network { { s, sink.file { path = "ok.jsonl" } }, { s, sink.file { path = "bad.csv" } } }
        """)
        #expect(ws.failure()?.message.contains("field 'b' is not one of the CSV columns (a)") == true)
        #expect(!ws.exists("ok.jsonl"))
        #expect(!ws.exists("bad.csv"))
    }
}
