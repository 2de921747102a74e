import Foundation
@testable import LuaflowHTTP
import Testing

/// Response actions and paginator injection: pure rules, no network.
@Suite struct ResponseActionTests {
    static func decode(_ json: String) throws -> HTTPSessionConfig {
        try HTTPSessionConfig.decode(json: Data(json.utf8))
    }

    @Test func theFirstRuleWhoseStatusAndContentMatchDecides() throws {
        let config = try Self.decode(#"{"response_actions": [{"status": [403, 429], "content": "rate limit", "action": "retry"}, {"status": 404, "action": "skip"}, {"content": "error", "action": "fail"}]}"#)
        let rules = config.responseActions
        #expect(ResponseAction.first(of: rules, status: 403, body: Array("API rate limit exceeded".utf8))?.action == .retry)
        #expect(ResponseAction.first(of: rules, status: 403, body: Array("forbidden".utf8)) == nil)
        #expect(ResponseAction.first(of: rules, status: 404, body: [])?.action == .skip)
        #expect(ResponseAction.first(of: rules, status: 200, body: Array(#"{"error": "x"}"#.utf8))?.action == .fail)
        #expect(ResponseAction.first(of: rules, status: 200, body: Array("{}".utf8)) == nil)
    }

    @Test func aRuleNeedsAnActionAndSomethingToMatch() {
        #expect(throws: HTTPError.self) { try Self.decode(#"{"response_actions": [{"status": 404, "action": "ignore"}]}"#) }
        #expect(throws: HTTPError.self) { try Self.decode(#"{"response_actions": [{"action": "skip"}]}"#) }
    }

    @Test func injectPlacesTheMovingValueAndLeavesTheRestInTheQuery() throws {
        let request = HTTPRequest(method: "POST", url: "/graphql/{cursor}", body: Array(#"{"variables":{"owner":"acme"}}"#.utf8))
        func paginator(_ inject: String) throws -> PaginatorConfig {
            try PaginatorConfig.decode(json: Data(#"{"type": "cursor", "cursor_path": "next", "limit": 5, "inject": "\#(inject)"}"#.utf8))
        }
        let target = PageTarget.parameters([("cursor", "c2"), ("limit", "5")])
        let json = PageIterator.apply(target, to: request, paginator: try paginator("json:variables.after"))
        #expect(String(decoding: json.body ?? [], as: UTF8.self) == #"{"variables":{"after":"c2","owner":"acme"}}"#)
        #expect(json.query.map { "\($0.0)=\($0.1)" } == ["limit=5"])
        let header = PageIterator.apply(target, to: request, paginator: try paginator("header:X-Cursor"))
        #expect(header.header("X-Cursor") == "c2")
        let path = PageIterator.apply(target, to: request, paginator: try paginator("path:cursor"))
        #expect(path.url == "/graphql/c2")
        let first = PageIterator.apply(.parameters([("limit", "5")]), to: request, paginator: try paginator("path:cursor"))
        #expect(first.url == "/graphql/", "the first page has no cursor")
        let offset = PageIterator.apply(.parameters([("offset", "40")]), to: request,
                                        paginator: try PaginatorConfig.decode(json: Data(#"{"type": "offset", "inject": "json:page.offset"}"#.utf8)))
        #expect(String(decoding: offset.body ?? [], as: UTF8.self) == #"{"page":{"offset":40},"variables":{"owner":"acme"}}"#)
        #expect(throws: HTTPError.self) { try paginator("body:x") }
    }
}
