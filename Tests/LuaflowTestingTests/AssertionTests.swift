import Testing
@testable import LuaflowTesting

@Suite struct AssertionTests {
    static let file = """
    test("equal tables pass", function()
      assert_eq({ a = 1, b = { 1, 2, json.null } }, { b = { 1, 2.0, json.null }, a = 1.0 })
    end)
    test("numbers differ", function()
      assert_eq(1, 2)
    end)
    test("tables differ", function()
      assert_eq({ a = { 1, 2 } }, { a = { 1, 3 } }, "nested")
    end)
    test("null is not nil", function() assert_eq({ a = json.null }, {}) end)
    test("string is not number", function() assert_eq("1", 1) end)
    test("assert_true", function() assert_true(false, "flag") end)
    test("assert_nil", function() assert_nil({ x = "y" }) end)
    test("assert_error passes", function()
      local message = assert_error(function() error("boom here") end, "boom")
      assert_true(message:find("boom here", 1, true) ~= nil)
    end)
    test("assert_error without error", function() assert_error(function() end) end)
    test("assert_error wrong message", function() assert_error(function() error("other") end, "boom") end)
    test("runtime error", function() local t = nil; return t.x end)
    test("error without location", function() error({ code = 1 }) end)
    """

    @Test func deepEqualityAndMessages() async throws {
        let files = try LuaTestFiles()
        try files.write("asserts_test.lua", Self.file)
        let results = try await files.run("asserts_test.lua")
        #expect(results.count == 12)
        func failure(_ name: String) -> String { results[name]?.failure ?? "(passed)" }
        #expect(results["equal tables pass"]?.passed == true)
        #expect(results["assert_error passes"]?.passed == true)
        #expect(failure("numbers differ").hasSuffix("asserts_test.lua:5: expected 2, got 1"))
        #expect(failure("tables differ").hasSuffix(#"asserts_test.lua:8: nested: expected {"a":[1,3]}, got {"a":[1,2]}"#))
        #expect(failure("null is not nil").hasSuffix(#"expected {}, got {"a":null}"#))
        #expect(failure("string is not number").hasSuffix(#"expected 1, got "1""#))
        #expect(failure("assert_true").hasSuffix("asserts_test.lua:12: flag: expected a true value, got false"))
        #expect(failure("assert_nil").hasSuffix(#"expected nil, got {"x":"y"}"#))
        #expect(failure("assert_error without error").hasSuffix("expected an error, but the function returned normally"))
        #expect(failure("assert_error wrong message").contains(#"expected an error containing "boom", got ""#))
        #expect(failure("runtime error").contains("asserts_test.lua:20: attempt to index a nil value"))
        #expect(failure("error without location").hasSuffix("asserts_test.lua:21: (error object is a table value)"))
    }

    @Test func aFileThatDoesNotCompileFailsWithItsLine() async throws {
        let files = try LuaTestFiles()
        try files.write("broken_test.lua", "test('a', function() end)\nlocal x = = 1\n")
        let results = try await files.run("broken_test.lua")
        let result = try #require(results.values.first)
        #expect(results.count == 1)
        #expect(result.failure?.contains("broken_test.lua:2:") == true)
    }
}
