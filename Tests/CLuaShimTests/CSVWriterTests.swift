// Tests of the CSV writer (luaflow_csv_append_field, luaflow_csv_append_row).
import CLua
import CLuaShim
import Testing

/// append_row(record, columns, buf, delimiter, ignore_extra); checks that the stack is unchanged.
private let appendRowFn: lua_CFunction = { L in
    let buf = lua_touserdata(L, 3)!.assumingMemoryBound(to: luaflow_buf.self)
    let delim = CChar(truncatingIfNeeded: lua_tointegerx(L, 4, nil))
    let ignoreExtra = lua_toboolean(L, 5)
    lua_settop(L, 4)
    let top = lua_gettop(L)
    luaflow_csv_append_row(L, 1, -3, buf, delim, ignoreExtra)
    if lua_gettop(L) != top { lua_pushstring(L, "append_row changed the stack"); return lua_error(L) }
    return 0
}

private func field(_ s: String, _ delimiter: Character = ",") -> String {
    var out = luaflow_buf()
    luaflow_buf_init(&out)
    defer { luaflow_buf_free(&out) }
    let bytes = Array(s.utf8).map { CChar(bitPattern: $0) }
    #expect(luaflow_csv_append_field(&out, bytes, bytes.count, CChar(delimiter.asciiValue!)) == 0)
    return bufString(out)
}

@Suite struct CSVWriterTests {
    /// Appends rows for each Lua record expression; returns the text or the error.
    func rows(_ lua: LuaState, _ records: [String], columns: String, delimiter: Character = ",",
              prefill: String = "", ignoreExtra: Bool = false) -> (String, String?) {
        var buf = luaflow_buf()
        luaflow_buf_init(&buf)
        defer { luaflow_buf_free(&buf) }
        _ = luaflow_buf_append(&buf, prefill, prefill.utf8.count)
        var error: String?
        withUnsafeMutablePointer(to: &buf) { bp in
            for rec in records where error == nil {
                error = lua.errorOf {
                    try lua.call(appendRowFn, nresults: 0) { L in
                        _ = luaL_loadstring(L, "return " + rec + ", " + columns)
                        lua_callk(L, 0, 2, 0, nil)
                        lua_pushlightuserdata(L, bp)
                        lua_pushinteger(L, lua_Integer(delimiter.asciiValue!))
                        lua_pushboolean(L, ignoreExtra ? 1 : 0)
                        return 5
                    }
                }
            }
        }
        return (bufString(buf), error)
    }

    @Test func fieldsAreQuotedOnlyWhenNeeded() {
        #expect(field("plain") == "plain")
        #expect(field("") == "")
        #expect(field("a,b") == "\"a,b\"")
        #expect(field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(field("two\nlines") == "\"two\nlines\"")
        #expect(field("cr\rhere") == "\"cr\rhere\"")
        #expect(field("a,b", ";") == "a,b")
        #expect(field("a;b", ";") == "\"a;b\"")
        #expect(field(" spaced ") == " spaced ")
        #expect(field("ünï") == "ünï")
    }

    @Test func rowsFormatEveryValueType() {
        let lua = LuaState()
        let (text, err) = rows(lua, [
            "{id = 1, name = 'ada', score = 0.1, ok = true}",
            "{id = -2, name = 'a, \"b\"', score = 3.0, ok = false}",
            "{id = 3, name = json.null}",
            "{id = 2^53, score = 1e300}",
        ], columns: "{'id', 'name', 'score', 'ok'}")
        #expect(err == nil)
        #expect(text == "1,ada,0.1,true\n-2,\"a, \"\"b\"\"\",3.0,false\n3,,,\n9007199254740992.0,,1e+300,\n")
    }

    @Test func tablesAreWrittenAsJSON() {
        let lua = LuaState()
        let (text, err) = rows(lua, [
            "{tags = json.array{'a', 'b'}, addr = {city = 'Oslo'}, empty = json.array()}",
            "{tags = {}, addr = {n = 1}, empty = {1}}",
        ], columns: "{'tags', 'addr', 'empty'}")
        #expect(err == nil)
        #expect(text == #""[""a"",""b""]","{""city"":""Oslo""}",[]"# + "\n" + #"{},"{""n"":1}",[1]"# + "\n")
        let (semi, _) = rows(lua, ["{tags = json.array{1, 2}}"], columns: "{'tags'}", delimiter: ";")
        #expect(semi == "[1,2]\n")
        let (comma, _) = rows(lua, ["{tags = json.array{1, 2}}"], columns: "{'tags'}")
        #expect(comma == "\"[1,2]\"\n")
    }

    @Test func singleEmptyColumnIsQuotedSoItIsNotABlankLine() {
        let lua = LuaState()
        let (text, err) = rows(lua, ["{}", "{a = ''}", "{a = 'x'}"], columns: "{'a'}")
        #expect(err == nil)
        #expect(text == "\"\"\n\"\"\n" + "x\n")
        #expect(readCSV("a\n" + text).records == [#"{"a":""}"#, #"{"a":""}"#, #"{"a":"x"}"#])
    }

    @Test func keysOutsideTheColumnsAreRejected() {
        let lua = LuaState()
        let (text, err) = rows(lua, ["{id = 1, name = 'a'}", "{id = 2, name = 'b', extra = 1}"],
                               columns: "{'id', 'name'}", prefill: "id,name\n")
        #expect(err == "field 'extra' is not one of the CSV columns (id, name)")
        #expect(text == "id,name\n1,a\n") // the failed row is not left behind
        let (_, numeric) = rows(lua, ["{id = 1, [7] = 'x'}"], columns: "{'id', 'name'}")
        #expect(numeric == "field '7' is not one of the CSV columns (id, name)")
        let (_, withNull) = rows(lua, ["{id = json.null, name = json.null, zzz = json.null}"], columns: "{'id', 'name'}")
        #expect(withNull == "field 'zzz' is not one of the CSV columns (id, name)")
    }

    @Test func keysOutsideTheColumnsAreDroppedWhenAsked() {
        let lua = LuaState()
        let (text, err) = rows(lua, ["{id = 2, name = 'b', extra = 1}"], columns: "{'id', 'name'}", ignoreExtra: true)
        #expect(err == nil)
        #expect(text == "2,b\n")
    }

    @Test func unencodableValuesAreRejectedWithTheColumnName() {
        let lua = LuaState()
        let cases: [(String, String)] = [
            ("{a = 0/0}", "cannot encode field .a: NaN or infinity"),
            ("{a = print}", "cannot encode field .a: unsupported type function"),
            ("{a = {tags = {'ok', '\\xff'}}}", "cannot encode field .a.tags[2]: invalid UTF-8 string"),
            ("{a = {1, {f = print}}}", "cannot encode field .a[2].f: unsupported type function"),
        ]
        for (rec, message) in cases {
            let (text, err) = rows(lua, [rec], columns: "{'b', 'a'}", prefill: "b,a\n")
            #expect(err == message)
            #expect(text == "b,a\n")
        }
        let (_, badColumn) = rows(lua, ["{a = 1}"], columns: "{'a', 5}")
        #expect(badColumn == "CSV column 2 is not a string")
    }

    @Test func writtenRowsReadBackThroughTheReader() {
        let lua = LuaState()
        let (text, err) = rows(lua, [
            "{k = 'line1\\nline2', v = 'q\"uote'}",
            "{k = 'a,b', v = '\\r\\n'}",
            "{k = 12, v = 0.25}",
        ], columns: "{'k', 'v'}", prefill: "k,v\n")
        #expect(err == nil)
        let r = readCSV(text)
        #expect(r.error == nil)
        #expect(r.records == [#"{"k":"line1\nline2","v":"q\"uote"}"#, #"{"k":"a,b","v":"\r\n"}"#, #"{"k":"12","v":"0.25"}"#])
        #expect(r.lines == [2, 4, 6])
    }
}
