// Tests of luaflow_json_decode_push and luaflow_json_validate against a real Lua state.
import CLua
import CLuaShim
import Testing

@Suite struct JSONDecodeTests {
    @Test func scalarsDecodeToTheRightLuaTypes() throws {
        let lua = LuaState()
        let L = lua.L
        try lua.decode("null")
        #expect(lua_type(L, -1) == LUA_TLIGHTUSERDATA)
        #expect(lua_touserdata(L, -1) == luaflow_json_null_ptr())
        try lua.decode(" true ")
        #expect(lua_type(L, -1) == LUA_TBOOLEAN && lua_toboolean(L, -1) == 1)
        try lua.decode("false")
        #expect(lua_type(L, -1) == LUA_TBOOLEAN && lua_toboolean(L, -1) == 0)
        try lua.decode("\"hi\"")
        #expect(lua_type(L, -1) == LUA_TSTRING && luaString(L, -1) == "hi")
        #expect(lua.top == 4)
    }

    @Test func integersStayIntegersAndFloatsStayFloats() throws {
        let lua = LuaState()
        let L = lua.L
        let cases: [(String, Bool, Double)] = [
            ("42", true, 42), ("-7", true, -7), ("0", true, 0), ("-0", true, 0),
            ("1.0", false, 1), ("1e2", false, 100), ("-2.5E-3", false, -0.0025), ("0.1", false, 0.1),
            ("1e300", false, 1e300), ("9007199254740993.5", false, 9007199254740993.5),
            ("123456789012345678901234567890", false, 1.2345678901234568e29),
            ("0.30000000000000004", false, 0.30000000000000004), ("5e-324", false, .leastNonzeroMagnitude),
        ]
        for (text, isInt, value) in cases {
            try lua.decode(text)
            #expect(lua_type(L, -1) == LUA_TNUMBER, "\(text)")
            #expect((lua_isinteger(L, -1) == 1) == isInt, "\(text)")
            #expect(lua_tonumberx(L, -1, nil) == value, "\(text)")
            lua_settop(L, 0)
        }
        try lua.decode("9223372036854775807")
        #expect(lua_isinteger(L, -1) == 1 && lua_tointegerx(L, -1, nil) == Int64.max)
        try lua.decode("-9223372036854775808")
        #expect(lua_isinteger(L, -1) == 1 && lua_tointegerx(L, -1, nil) == Int64.min)
        try lua.decode("9223372036854775808")
        #expect(lua_isinteger(L, -1) == 0 && lua_tonumberx(L, -1, nil) == 9223372036854775808.0)
        try lua.decode("-0.0")
        #expect(lua_isinteger(L, -1) == 0 && lua_tonumberx(L, -1, nil).sign == .minus)
    }

    @Test func stringEscapesDecodeToUTF8() throws {
        let lua = LuaState()
        let L = lua.L
        try lua.decode(#""\"\\\/\b\f\n\r\t""#)
        #expect(luaBytes(L, -1) == Array("\"\\/\u{8}\u{c}\n\r\t".utf8))
        try lua.decode(#""caf\u00e9 \u20AC \ud83d\ude00 \uD834\uDD1E""#)
        #expect(luaString(L, -1) == "café € 😀 𝄞")
        try lua.decode(#""a\u0000b""#)
        #expect(luaBytes(L, -1) == [0x61, 0, 0x62])
        try lua.decode(#""\u007f\u0080\u07ff\u0800\uffff""#)
        #expect(luaBytes(L, -1) == [0x7f, 0xc2, 0x80, 0xdf, 0xbf, 0xe0, 0xa0, 0x80, 0xef, 0xbf, 0xbf])
        // long strings, with and without escapes, cross the 8-byte fast path
        let long = String(repeating: "abcdefghij", count: 50)
        try lua.decode("\"\(long)\"")
        #expect(luaString(L, -1) == long)
        try lua.decode("\"\(long)\\n\(long)\"")
        #expect(luaString(L, -1) == long + "\n" + long)
    }

    @Test func invalidUTF8IsAcceptedAsBytesWhenDecoding() throws {
        let lua = LuaState()
        try lua.decode([0x22, 0xff, 0xc0, 0x80, 0x22])
        #expect(luaBytes(lua.L, -1) == [0xff, 0xc0, 0x80])
    }

    @Test func arraysCarryTheSharedArrayMetatable() throws {
        let lua = LuaState()
        #expect(try lua.eval("""
            local a, b = json.decode('[]'), json.decode('[[1], {"x": []}]')
            return json.is_array(a) and json.is_array(b) and json.is_array(b[1]) and json.is_array(b[2].x)
              and not json.is_array(b[2]) and getmetatable(a) == getmetatable(b[2].x) and #a == 0
            """) == "true")
        try lua.decode("[]")
        luaflow_json_push_array_mt(lua.L)
        #expect(lua_getmetatable(lua.L, -2) == 1)
        #expect(lua_rawequal(lua.L, -1, -2) == 1)
    }

    @Test func containersOfAnySizeDecodeCompletely() throws {
        let lua = LuaState()
        let arr = "[" + (1...1000).map(String.init).joined(separator: ",") + "]"
        let obj = "{" + (1...300).map { "\"k\($0)\": \($0)" }.joined(separator: ", ") + "}"
        try lua.decode(arr)
        lua_setglobal(lua.L, "arr")
        try lua.decode(obj)
        lua_setglobal(lua.L, "obj")
        #expect(try lua.eval("""
            local s = 0 for i, v in ipairs(arr) do assert(v == i) s = s + v end
            local n = 0 for k, v in pairs(obj) do assert(k == 'k' .. v) n = n + 1 end
            return #arr == 1000 and s == 500500 and n == 300
            """) == "true")
        #expect(try lua.eval(#"local t = json.decode('{"a":1,"a":2, "b" : [ ] , "c":{}}') return t.a .. tostring(json.is_array(t.b)) .. tostring(next(t.c))"#) == "2truenil")
    }

    @Test func nestingUpTo1000IsAllowed() throws {
        let lua = LuaState()
        try lua.decode(String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000))
        #expect(lua_type(lua.L, -1) == LUA_TTABLE)
        let deep = String(repeating: "[", count: 1001) + String(repeating: "]", count: 1001)
        #expect(lua.errorOf { try lua.decode(deep) } == "invalid JSON at byte 1001: nested too deep")
        let deepObj = String(repeating: "{\"a\":", count: 1001) + "1" + String(repeating: "}", count: 1001)
        #expect(lua.errorOf { try lua.decode(deepObj) } == "invalid JSON at byte 5001: nested too deep")
    }

    static let errorCases: [(String, String)] = [
        ("", "invalid JSON at byte 1: expected value"),
        ("   ", "invalid JSON at byte 4: expected value"),
        ("[1,]", "invalid JSON at byte 4: expected value"),
        ("[1 2]", "invalid JSON at byte 4: expected ',' or ']'"),
        ("[1", "invalid JSON at byte 3: expected ',' or ']'"),
        ("{\"a\":1 \"b\":2}", "invalid JSON at byte 8: expected ',' or '}'"),
        ("{\"a\" 1}", "invalid JSON at byte 6: expected ':'"),
        ("{a:1}", "invalid JSON at byte 2: expected string key"),
        ("{\"a\":1,}", "invalid JSON at byte 8: expected string key"),
        ("[1] x", "invalid JSON at byte 5: expected end of input"),
        ("{} {}", "invalid JSON at byte 4: expected end of input"),
        ("01", "invalid JSON at byte 2: expected end of input"),
        ("tru", "invalid JSON at byte 1: expected value"),
        ("nul", "invalid JSON at byte 1: expected value"),
        ("True", "invalid JSON at byte 1: expected value"),
        ("-", "invalid JSON at byte 2: expected digit"),
        ("-a", "invalid JSON at byte 2: expected digit"),
        ("1.", "invalid JSON at byte 3: expected digit"),
        ("1.e5", "invalid JSON at byte 3: expected digit"),
        ("1e", "invalid JSON at byte 3: expected digit"),
        ("1e+", "invalid JSON at byte 4: expected digit"),
        (".5", "invalid JSON at byte 1: expected value"),
        ("\"abc", "invalid JSON at byte 5: expected '\"' to close string"),
        ("\"ab\\n", "invalid JSON at byte 6: expected '\"' to close string"),
        ("\"a\tb\"", "invalid JSON at byte 3: expected escaped control character in string"),
        ("\"a\\x\"", "invalid JSON at byte 4: expected escape character"),
        ("\"a\\", "invalid JSON at byte 4: expected escape character"),
        ("\"\\u12\"", "invalid JSON at byte 4: expected 4 hex digits after \\u"),
        ("\"\\u12g4\"", "invalid JSON at byte 4: expected 4 hex digits after \\u"),
        ("\"\\ud83d\"", "invalid JSON at byte 8: expected low surrogate after high surrogate (lone surrogate)"),
        ("\"\\ud83dx\"", "invalid JSON at byte 8: expected low surrogate after high surrogate (lone surrogate)"),
        ("\"\\ud83d\\u0041\"", "invalid JSON at byte 8: expected low surrogate after high surrogate (lone surrogate)"),
        ("\"\\ude00\"", "invalid JSON at byte 2: expected high surrogate before low surrogate (lone surrogate)"),
    ]

    @Test(arguments: errorCases)
    func malformedInputRaisesAPositionedError(input: String, message: String) {
        let lua = LuaState()
        #expect(lua.errorOf { try lua.decode(input) } == message)
        #expect(lua.top == 0)
        let (ok, err) = validateJSON(input)
        #expect(!ok)
        #expect(err == message)
    }

    @Test func validateAcceptsValidDocumentsWithoutLua() {
        for text in ["null", " [] ", "{}", "[1, -2.5e+3, \"x\\u00e9\", {\"a\": [true, false, null]}]",
                     "\"\\ud83d\\ude00\"", "0", "-0.0", String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)] {
            let (ok, err) = validateJSON(text)
            #expect(ok, "\(text): \(err)")
        }
        var err = [CChar](repeating: 0, count: 16)
        let bad = Array("[1 2]".utf8).map { CChar(bitPattern: $0) }
        #expect(luaflow_json_validate(bad, bad.count, &err, err.count) == 0)
        #expect(cString(err) == "invalid JSON at") // truncated to the buffer, NUL-terminated
        #expect(luaflow_json_validate(bad, bad.count, nil, 0) == 0)
    }

    @Test func moduleDecodeErrorsPointAtTheCallingScript() throws {
        let lua = LuaState()
        #expect(lua.errorOf { try lua.eval("return json.decode('[1,')") } == #"[string "return json.decode('[1,')"]:1: invalid JSON at byte 4: expected value"#)
        #expect(try lua.eval("return json.decode('  {\"a\": [1, 2.5, null]}  ').a[3] == json.null") == "true")
        #expect(try lua.eval("return math.type(json.decode('3'))") == "integer")
    }
}
