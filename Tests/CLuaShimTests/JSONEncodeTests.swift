// Tests of luaflow_json_encode_append and the json module (encode, decode, null, array, is_array).
import CLua
import CLuaShim
import Testing

@Suite struct JSONEncodeTests {
    @Test func roundTripsKeepNullEmptyContainersAndNesting() throws {
        let lua = LuaState()
        for text in ["null", "[]", "{}", "true", "false", "[null]", "[[],{}]", "{\"a\":[]}", "{\"a\":{}}",
                     "{\"a\":null}", "[1,2,3]", "[[[[1]]]]", "{\"a\":{\"b\":{\"c\":[1,\"x\",null,{}]}}}",
                     "\"\"", "[\"\",0,-1,0.5]", "{\"\":\"\"}"] {
            #expect(try lua.roundTrip(text) == text)
        }
        // objects with several keys: order follows lua_next, so compare the members
        let out = try lua.roundTrip("{\"id\":1,\"tags\":[],\"address\":{\"city\":\"Oslo\"},\"manager\":null}")
        #expect(out.count == "{\"id\":1,\"tags\":[],\"address\":{\"city\":\"Oslo\"},\"manager\":null}".count)
        for member in ["\"id\":1", "\"tags\":[]", "\"address\":{\"city\":\"Oslo\"}", "\"manager\":null"] {
            #expect(out.contains(member))
        }
        #expect(out.hasPrefix("{") && out.hasSuffix("}"))
    }

    @Test func numbersRoundTripWithIntegerFloatDistinction() throws {
        let lua = LuaState()
        let cases: [(String, String)] = [
            ("0", "0"), ("-0", "0"), ("42", "42"), ("-17", "-17"),
            ("9223372036854775807", "9223372036854775807"), ("-9223372036854775808", "-9223372036854775808"),
            ("9223372036854775808", "9.223372036854776e+18"),
            ("0.1", "0.1"), ("1.0", "1.0"), ("-0.0", "-0.0"), ("100.0", "100.0"), ("2.5", "2.5"),
            ("1e300", "1e+300"), ("1E2", "100.0"), ("-1.5e-7", "-1.5e-07"), ("0.0001", "0.0001"),
            ("0.30000000000000004", "0.30000000000000004"), ("3.141592653589793", "3.141592653589793"),
            ("123456789012345.6", "123456789012345.6"), ("1e15", "1e+15"), ("999999999999999.0", "999999999999999.0"),
            ("9007199254740992.0", "9007199254740992.0"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("5e-324", "4.94065645841247e-324"), ("13.954", "13.954"), ("99.269", "99.269"),
        ]
        for (input, expected) in cases {
            #expect(try lua.roundTrip(input) == expected, "\(input)")
        }
        #expect(try lua.encode("1/3") == "0.3333333333333333")
        #expect(try lua.encode("2^53") == "9007199254740992.0")
        #expect(try lua.encode("math.maxinteger") == "9223372036854775807")
        #expect(try lua.encode("math.mininteger") == "-9223372036854775808")
        #expect(try lua.encode("-(0.0)") == "-0.0")
        #expect(try lua.encode("3.0") == "3.0")
    }

    @Test func floatsAreShortestRoundTripAndAlwaysLookLikeFloats() throws {
        let lua = LuaState()
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.1, 0.2, 1e-5, 1e22, 1e23, 123.456e-300, 2.2250738585072014e-308]
        for _ in 0..<3000 { values.append(Double(bitPattern: rng.next()) ) }
        for _ in 0..<3000 { values.append(Double(Int.random(in: -1_000_000...1_000_000)) / 1000) }
        for v in values where v.isFinite {
            lua_pushnumber(lua.L, v)
            let text = try lua.encodeTop()
            #expect(Double(text) == v, "\(v) -> \(text)")
            #expect(text.contains(".") || text.contains("e"), "\(text)")
            // never longer than 17 significant digits
            let digits = text.split(separator: "e")[0].filter(\.isNumber).drop { $0 == "0" }.reversed().drop { $0 == "0" }
            #expect(digits.count <= 17, "\(text)")
        }
        // values with a short form get it (what %.15g gives)
        for (v, s) in [(0.7, "0.7"), (1234.5678, "1234.5678"), (1e-4, "0.0001"), (12.0, "12.0"), (1e-5, "1e-05")] {
            lua_pushnumber(lua.L, v)
            #expect(try lua.encodeTop() == s)
        }
    }

    @Test func stringsAreEscapedMinimally() throws {
        let lua = LuaState()
        #expect(try lua.encode(#""a\"b\\c/d""#) == #""a\"b\\c/d""#)
        #expect(try lua.encode(#""\n\r\t\b\f""#) == #""\n\r\t\b\f""#)
        #expect(try lua.encode(#""\0\1\31\127""#) == "\"\\u0000\\u0001\\u001f\u{7f}\"")
        #expect(try lua.encode(#""café € 😀""#) == "\"café € 😀\"")
        #expect(try lua.encode(#""\u{10FFFF}""#) == "\"\u{10FFFF}\"")
        let long = String(repeating: "0123456789abcdef", count: 40)
        #expect(try lua.encode("string.rep('0123456789abcdef', 40)") == "\"\(long)\"")
        #expect(try lua.encode("string.rep('ab\"', 100)") == "\"" + String(repeating: "ab\\\"", count: 100) + "\"")
        #expect(try lua.roundTrip(#""\u00e9\ud83d\ude00""#) == "\"é😀\"")
    }

    static let invalidUTF8: [String] = [
        #""\xff""#, #""\x80""#, #""\xc0\x80""#, #""\xc1\xbf""#, #""\xe0\x80\x80""#, #""\xe0\x9f\xbf""#,
        #""\xed\xa0\x80""#, #""\xed\xbf\xbf""#, #""\xf0\x80\x80\x80""#, #""\xf4\x90\x80\x80""#,
        #""\xf5\x80\x80\x80""#, #""\xe2\x82""#, #""abc\xe2""#, #""\xc3\x28""#, #""ok\xf0\x9f\x98""#,
        #""0123456789\xff0123456789""#,
    ]

    @Test(arguments: invalidUTF8)
    func invalidUTF8IsRejected(expr: String) {
        let lua = LuaState()
        #expect(lua.errorOf { _ = try lua.encode(expr) } == "cannot encode value: invalid UTF-8 string")
    }

    @Test func errorsNameTheFieldPath() {
        let lua = LuaState()
        let cases: [(String, String)] = [
            (#"{address = {tags = {"a", "\xff"}}}"#, "cannot encode field .address.tags[2]: invalid UTF-8 string"),
            ("{x = 0/0}", "cannot encode field .x: NaN or infinity"),
            ("{1, math.huge}", "cannot encode field [2]: NaN or infinity"),
            ("-math.huge", "cannot encode value: NaN or infinity"),
            ("{f = print}", "cannot encode field .f: unsupported type function"),
            ("{{co = coroutine.create(print)}}", "cannot encode field [1].co: unsupported type thread"),
            ("io.stdout", "cannot encode value: unsupported type userdata"),
            ("{a = {[true] = 1}}", "cannot encode field .a: object key must be a string or number, not boolean"),
            ("{[{}] = 1}", "cannot encode value: object key must be a string or number, not table"),
            (#"{["\xff"] = 1}"#, "cannot encode value: invalid UTF-8 in object key"),
            ("{a = {[math.huge] = 1}}", "cannot encode field .a: object key is NaN or infinity"),
        ]
        for (expr, message) in cases {
            #expect(lua.errorOf { _ = try lua.encode(expr) } == message, "\(expr)")
        }
        // a non-null light userdata
        lua_pushlightuserdata(lua.L, UnsafeMutableRawPointer(bitPattern: 0x1234))
        #expect(lua.errorOf { _ = try lua.encodeTop() } == "cannot encode value: unsupported type userdata")
    }

    @Test func tablesBecomeArraysOrObjects() throws {
        let lua = LuaState()
        #expect(try lua.encode("{1, 2, 3}") == "[1,2,3]")
        #expect(try lua.encode("{}") == "{}")
        #expect(try lua.encode("json.array()") == "[]")
        #expect(try lua.encode("json.array({})") == "[]")
        #expect(try lua.encode("json.array({'a', json.null})") == "[\"a\",null]")
        #expect(try lua.encode("{[1.5] = 'x'}") == "{\"1.5\":\"x\"}")
        #expect(try lua.encode("{[2] = 'b'}") == "{\"2\":\"b\"}")
        #expect(try lua.encode("{[-1] = 'n'}") == "{\"-1\":\"n\"}")
        let sparse = try lua.encode("{[1] = 'a', [3] = 'c'}")
        #expect(sparse == "{\"1\":\"a\",\"3\":\"c\"}" || sparse == "{\"3\":\"c\",\"1\":\"a\"}")
        let mixed = try lua.encode("{1, 2, x = true}")
        #expect(mixed.count == "{\"1\":1,\"2\":2,\"x\":true}".count && mixed.contains("\"x\":true") && mixed.contains("\"2\":2"))
        // a large sequence without the metatable is still an array
        #expect(try lua.eval("local t = {} for i = 1, 100 do t[i] = i end return json.encode(t)") ==
                "[" + (1...100).map(String.init).joined(separator: ",") + "]")
    }

    @Test func cyclesAndDeepNestingAreRejected() throws {
        let lua = LuaState()
        let msg = lua.errorOf { try lua.eval("local t = {} t.t = t return json.encode(t)") }
        #expect(msg?.contains("]:1: cannot encode field .t.t.t.t") == true)
        #expect(msg?.hasSuffix(": nested too deep (reference cycle?)") == true)
        #expect(msg!.count < 500)
        let ok = try lua.eval("local t = {} local c = t for i = 2, 1000 do c[1] = {} c = c[1] end return #json.encode(t)")
        #expect(ok == "2000")
        let deep = lua.errorOf { try lua.eval("local t = {} local c = t for i = 2, 1001 do c[1] = {} c = c[1] end return json.encode(t)") }
        #expect(deep?.hasSuffix("]: nested too deep (reference cycle?)") == true)
        #expect(deep?.contains("]:1: cannot encode field [1][1]") == true)
    }

    @Test func encodeAppendsAndRestoresTheBufferOnError() throws {
        let lua = LuaState()
        var buf = luaflow_buf()
        luaflow_buf_init(&buf)
        defer { luaflow_buf_free(&buf) }
        #expect(luaflow_buf_append(&buf, "abc", 3) == 0)
        try withUnsafeMutablePointer(to: &buf) { bp in
            try lua.call(encodeFn, nresults: 0) { L in
                _ = luaL_loadstring(L, "return {1, 'x'}")
                lua_callk(L, 0, 1, 0, nil)
                lua_pushlightuserdata(L, bp)
                return 2
            }
            let err = lua.errorOf {
                try lua.call(encodeFn, nresults: 0) { L in
                    _ = luaL_loadstring(L, "return {a = {b = {1, 2, '\\xff'}}}")
                    lua_callk(L, 0, 1, 0, nil)
                    lua_pushlightuserdata(L, bp)
                    return 2
                }
            }
            #expect(err == "cannot encode field .a.b[3]: invalid UTF-8 string")
        }
        #expect(bufString(buf) == "abc[1,\"x\"]")
        #expect(lua.top == 0)
    }

    @Test func jsonModuleFunctions() throws {
        let lua = LuaState()
        #expect(try lua.eval("return type(json.encode) .. type(json.decode) .. type(json.null) .. type(json.array) .. type(json.is_array)")
                == "functionfunctionuserdatafunctionfunction")
        #expect(try lua.eval("return json.null == json.decode('null')") == "true")
        #expect(try lua.eval("local t = {1} return json.array(t) == t and json.is_array(t)") == "true")
        #expect(try lua.eval("local a = json.array() return json.is_array(a) and next(a) == nil") == "true")
        #expect(try lua.eval("return json.is_array({}) or json.is_array(1) or json.is_array(nil) or json.is_array(setmetatable({}, {}))") == "false")
        #expect(try lua.eval("return json.encode({json.null, true, 'x', 1.25})") == "[null,true,\"x\",1.25]")
        #expect(try lua.eval("return json.encode(nil)") == "null")
        #expect(try lua.eval("return json.encode(json.decode('{\"a\":[[],{},null]}'))") == "{\"a\":[[],{},null]}")
        #expect(try lua.eval("local s = json.encode(string.rep('x', 3000000)) return #s") == "3000002")
        #expect(try lua.eval("return json.encode('after a big one')") == "\"after a big one\"")
        #expect(lua.errorOf { try lua.eval("return json.encode()") }?.contains("bad argument #1 to 'encode'") == true)
        #expect(lua.errorOf { try lua.eval("return json.decode({})") }?.contains("bad argument #1 to 'decode'") == true)
        #expect(lua.errorOf { try lua.eval("return json.array(5)") }?.contains("bad argument #1 to 'array'") == true)
        #expect(lua.errorOf { try lua.eval("return json.encode({f = print})") } == #"[string "return json.encode({f = print})"]:1: cannot encode field .f: unsupported type function"#)
        // the module can be opened directly and leaves exactly one value
        let before = lua.top
        #expect(luaflow_open_json(lua.L) == 1)
        #expect(lua.top == before + 1 && lua_type(lua.L, -1) == LUA_TTABLE)
    }
}
