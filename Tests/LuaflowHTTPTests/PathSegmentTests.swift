@testable import LuaflowHTTP
import Testing

/// `URLBuilder.encodePathSegment`, the one encoding of values put into paths, against hostile
/// values; the expected texts are written out by hand from RFC 3986.
@Suite struct PathSegmentTests {
    @Test(arguments: [
        ("a/b", "a%2Fb"), ("../admin", "..%2Fadmin"), ("..", "%2E%2E"), (".", "%2E"), ("...", "..."),
        ("x?y=1", "x%3Fy%3D1"), ("h#frag", "h%23frag"), ("p%2Fq", "p%252Fq"), ("100%", "100%25"),
        ("sp ace", "sp%20ace"), ("a\r\nX-Injected: 1", "a%0D%0AX-Injected%3A%201"), ("nul\u{0}x", "nul%00x"),
        ("ünï", "%C3%BCn%C3%AF"), ("日本", "%E6%97%A5%E6%9C%AC"), ("a;b,c=d&e+f", "a%3Bb%2Cc%3Dd%26e%2Bf"),
        ("safe-._~AZaz09", "safe-._~AZaz09"), ("", ""),
    ])
    func encodesEverythingButUnreservedCharacters(value: String, expected: String) {
        #expect(URLBuilder.encodePathSegment(value) == expected)
    }

    @Test func refusesValuesLongerThanTheLimit() {
        let limit = URLBuilder.maxPathSegmentBytes
        #expect(URLBuilder.encodePathSegment(String(repeating: "a", count: limit)) == String(repeating: "a", count: limit))
        #expect(URLBuilder.encodePathSegment(String(repeating: "a", count: limit + 1)) == nil)
        #expect(URLBuilder.encodePathSegment(String(repeating: "é", count: limit / 2 + 1)) == nil, "counted in UTF-8 bytes")
    }

    @Test func aCursorInjectedIntoThePathStaysOneSegment() throws {
        let request = HTTPRequest(url: "https://api.example.com/feed/{cursor}/items")
        let injected = try #require(PageInjection("path:cursor")).apply("../../admin?x#y", number: false, to: request)
        #expect(injected.url == "https://api.example.com/feed/..%2F..%2Fadmin%3Fx%23y/items")
        #expect(try #require(PageInjection("path:cursor")).apply("..", number: false, to: request).url == "https://api.example.com/feed/%2E%2E/items")
    }
}
