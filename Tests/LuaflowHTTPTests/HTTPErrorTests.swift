import LuaflowCore
import LuaflowHTTP
import Testing

@Suite struct HTTPErrorTests {
    @Test func statusMessageNamesEverything() {
        let error = HTTPError(.status, method: "GET", url: "https://api.example.com/users?page=3&api_key=abcdef", status: 503,
                              attempts: 5, body: Array("upstream\n  down".utf8))
        #expect(error.description == "GET https://api.example.com/users?page=3&api_key=*** failed with status 503 after 5 attempts: upstream down")
        #expect(error.url == "https://api.example.com/users?page=3&api_key=***")
        #expect(error.kind.name == "status")
    }

    @Test func transportMessages() {
        #expect(HTTPError(.timeout, method: "GET", url: "http://h.io/x", attempts: 1, detail: "read timeout (2 s) expired").description
                == "GET http://h.io/x timed out after 1 attempt: read timeout (2 s) expired")
        #expect(HTTPError(.connection, method: "POST", url: "http://h.io/x", attempts: 3, detail: "connection reset").description
                == "POST http://h.io/x failed after 3 attempts: connection reset")
        #expect(HTTPError(.paginationLoop, method: "GET", url: "http://h.io/x", detail: "pagination loop: cursor 'a'").description
                == "GET http://h.io/x: pagination loop: cursor 'a'")
    }

    @Test func excerptIsBoundedAndCutOnACharacterBoundary() throws {
        let body = Array(String(repeating: "é", count: 400).utf8)  // 2 bytes each
        let excerpt = try #require(HTTPError(.status, status: 500, body: body).bodyExcerpt)
        #expect(excerpt.hasSuffix("…"))
        #expect(excerpt.utf8.count <= HTTPError.maxExcerptBytes + "…".utf8.count)
        #expect(!excerpt.contains("\u{FFFD}"))
    }

    @Test func registeredSecretsNeverAppear() {
        Redactor.shared.add("tok-in-error-body-42")
        let error = HTTPError(.status, method: "GET", url: "https://h.io/tok-in-error-body-42", status: 401, attempts: 1,
                              body: Array(#"{"error": "bad token tok-in-error-body-42"}"#.utf8), detail: "tok-in-error-body-42")
        #expect(!error.description.contains("tok-in-error-body-42"))
    }
}
