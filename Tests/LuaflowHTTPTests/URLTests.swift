import LuaflowCore
import LuaflowHTTP
import Testing

@Suite struct URLRedactorTests {
    @Test func hidesCredentialParametersAndKeepsTheRest() {
        #expect(URLRedactor.redact("https://api.example.com/users?page=3&api_key=abc123") == "https://api.example.com/users?page=3&api_key=***")
        let all = "https://h.io/p?token=1&access_token=2&password=3&secret=4&signature=5&key=6&client_secret=7&X-Amz-Signature=8&limit=9"
        #expect(URLRedactor.redact(all) == "https://h.io/p?token=***&access_token=***&password=***&secret=***&signature=***&key=***&client_secret=***&X-Amz-Signature=***&limit=9")
    }

    @Test func keepsPageTokensAndCursorsForDebugging() {
        #expect(URLRedactor.redact("https://h.io/p?page_token=abc&next_page_token=def&cursor=x") == "https://h.io/p?page_token=abc&next_page_token=def&cursor=x")
    }

    @Test func hidesUserinfoAndDropsFragments() {
        #expect(URLRedactor.redact("https://bob:hunter22@db.example.com:8443/x?q=1#frag") == "https://***@db.example.com:8443/x?q=1")
        #expect(URLRedactor.redact("https://db.example.com/a@b") == "https://db.example.com/a@b")
    }

    @Test func hidesRegisteredSecretsAnywhere() {
        Redactor.shared.add("sekrit-value-123")
        #expect(URLRedactor.redact("https://h.io/sekrit-value-123/x?custom=sekrit-value-123") == "https://h.io/***/x?custom=***")
    }

    @Test func percentEncodedNamesAreRecognised() {
        #expect(URLRedactor.redact("https://h.io/?api%5Fkey=zzz") == "https://h.io/?api%5Fkey=***")
    }
}

@Suite struct URLBuilderTests {
    @Test func joinsBaseAndPathWithOneSlash() throws {
        #expect(try URLBuilder.resolve("/users", base: "https://api.x.com/v1") == "https://api.x.com/v1/users")
        #expect(try URLBuilder.resolve("users", base: "https://api.x.com/v1/") == "https://api.x.com/v1/users")
        #expect(try URLBuilder.resolve("", base: "https://api.x.com/v1") == "https://api.x.com/v1")
        #expect(try URLBuilder.resolve("https://other.io/x", base: "https://api.x.com") == "https://other.io/x")
    }

    @Test func relativePathWithoutBaseIsAConfigError() {
        let error = #expect(throws: HTTPError.self) { try URLBuilder.resolve("/users", base: nil) }
        #expect(error?.kind == .invalidConfig)
        #expect(throws: HTTPError.self) { try URLBuilder.resolve("ftp://x.io/file", base: nil) }
    }

    @Test func appendsEncodedQueryItems() {
        #expect(URLBuilder.appending([("q", "a b&c=d/é"), ("n", "1")], to: "https://h.io/s") == "https://h.io/s?q=a%20b%26c%3Dd%2F%C3%A9&n=1")
        #expect(URLBuilder.appending([("n", "1")], to: "https://h.io/s?x=1#top") == "https://h.io/s?x=1&n=1")
        #expect(URLBuilder.appending([], to: "https://h.io/s?") == "https://h.io/s?")
    }

    @Test func removesParametersByDecodedName() {
        #expect(URLBuilder.removing(parameters: ["api_key"], from: "https://h.io/?a=1&api%5Fkey=2&b=3") == "https://h.io/?a=1&b=3")
        #expect(URLBuilder.removing(parameters: ["a"], from: "https://h.io/?a=1") == "https://h.io/")
        #expect(URLBuilder.queryValue("q", in: "https://h.io/?q=a%20b+c") == "a b c")
    }

    @Test func originComparesSchemeHostAndPort() {
        #expect(Origin(url: "https://API.example.com/x") == Origin(url: "https://api.example.com:443/y"))
        #expect(Origin(url: "https://api.example.com") != Origin(url: "http://api.example.com"))
        #expect(Origin(url: "http://127.0.0.1:8080") != Origin(url: "http://127.0.0.1:8081"))
        #expect(Origin(url: "/relative") == nil)
        #expect(Origin(url: "http://h.io")?.hostKey == "h.io:80")
    }
}

@Suite struct RedirectPolicyTests {
    @Test func seeOtherBecomesGET() {
        #expect(RedirectPolicy.next(status: 303, location: "/done", method: "POST", url: "https://h.io/form")
                == .init(method: "GET", url: "https://h.io/done", keepsBody: false))
        #expect(RedirectPolicy.next(status: 303, location: "/x", method: "HEAD", url: "https://h.io/")?.method == "HEAD")
    }

    @Test func movedAndFoundTurnPOSTIntoGETButKeepOtherMethods() {
        #expect(RedirectPolicy.next(status: 302, location: "/b", method: "POST", url: "https://h.io/a")?.method == "GET")
        #expect(RedirectPolicy.next(status: 301, location: "/b", method: "POST", url: "https://h.io/a")?.keepsBody == false)
        #expect(RedirectPolicy.next(status: 302, location: "/b", method: "PUT", url: "https://h.io/a") == .init(method: "PUT", url: "https://h.io/b", keepsBody: true))
    }

    @Test func temporaryAndPermanentRedirectsKeepMethodAndBody() {
        for status in [307, 308] {
            #expect(RedirectPolicy.next(status: status, location: "https://o.io/b", method: "POST", url: "https://h.io/a")
                    == .init(method: "POST", url: "https://o.io/b", keepsBody: true))
        }
    }

    @Test func notFollowed() {
        #expect(RedirectPolicy.next(status: 200, location: "/b", method: "GET", url: "https://h.io/a") == nil)
        #expect(RedirectPolicy.next(status: 302, location: nil, method: "GET", url: "https://h.io/a") == nil)
        #expect(RedirectPolicy.next(status: 304, location: "/b", method: "GET", url: "https://h.io/a") == nil)
        #expect(RedirectPolicy.next(status: 302, location: "ftp://h.io/file", method: "GET", url: "https://h.io/a") == nil)
    }
}
