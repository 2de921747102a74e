import Testing
@testable import LuaflowWebhook

@Suite struct WebhookSignatureTests {
    let signature = WebhookSignature(hash: .sha256, header: "X-Signature", secret: Array("It's a Secret to Everybody".utf8), prefix: "sha256=")
    let body = Array("Hello, World!".utf8)

    /// GitHub's documented example: this secret and body sign to this digest.
    @Test func acceptsTheDocumentedSignature() {
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(signature.sign(body) == expected)
        #expect(signature.accepts(expected, body: body))
        #expect(signature.accepts(expected.replacingOccurrences(of: "757107ea", with: "757107EA"), body: body))
    }

    @Test func refusesAnythingElse() {
        let good = signature.sign(body)
        #expect(!signature.accepts(nil, body: body))
        #expect(!signature.accepts(String(good.dropFirst(7)), body: body), "no prefix")
        #expect(!signature.accepts(good, body: Array("Hello, World?".utf8)), "another body")
        #expect(!signature.accepts(String(good.dropLast(2)), body: body), "a shorter digest")
        #expect(!signature.accepts(good + "00", body: body), "a longer digest")
        #expect(!signature.accepts(String(good.dropLast()) + "g", body: body), "not hex")
        #expect(!signature.accepts("sha256=", body: body))
        let other = WebhookSignature(hash: .sha256, header: "X-Signature", secret: Array("guess".utf8), prefix: "sha256=")
        #expect(!signature.accepts(other.sign(body), body: body), "another secret")
    }

    @Test func otherHashes() {
        for hash in [WebhookSignature.Hash.sha1, .sha512] {
            let s = WebhookSignature(hash: hash, header: "X-Hub-Signature", secret: Array("k".utf8), prefix: "")
            #expect(s.accepts(s.sign(body), body: body))
            #expect(!signature.accepts(s.sign(body), body: body))
        }
    }
}
