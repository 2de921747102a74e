import Foundation
import Testing
@testable import LuaflowCore

@Suite struct RedactorTests {
    private func redactor(_ secrets: String...) -> Redactor {
        let redactor = Redactor()
        secrets.forEach(redactor.add)
        return redactor
    }

    @Test func rawValuesAreHiddenAndShortOnesIgnored() {
        let r = redactor("tok-9f2d", "abc")
        #expect(r.redact("login with tok-9f2d failed, tok-9f2d again") == "login with *** failed, *** again")
        #expect(r.redact("abc stays") == "abc stays")
    }

    @Test func aSecretFollowedByACombiningMarkIsStillHidden() {
        // "secret" + U+0301 is one grapheme cluster ending in "t́": Character-based search misses it.
        let r = redactor("secret")
        let text = "token=secret\u{301} and secretary"
        #expect(r.redact(text) == "token=***\u{301} and ***ary")
        #expect(!r.redact("x\u{200D}secret\u{1F600}").contains("secret"))
    }

    @Test func aSecretInsideALongerGraphemeOfItsOwnIsHidden() {
        let r = redactor("cafe\u{301}-key")
        #expect(r.redact("k=cafe\u{301}-key.") == "k=***.")
    }

    @Test(arguments: [
        #"pa"ss\word/1"#,
        "line\nbreak\ttab\u{8}\u{C}\u{1}",
        "ab/cd+ef==",
    ])
    func jsonEncodedFormsAreHidden(secret: String) throws {
        let r = redactor(secret)
        let foundation = String(decoding: try JSONSerialization.data(withJSONObject: ["v": secret]), as: UTF8.self)
        #expect(r.redact(foundation) == #"{"v":"***"}"#, "\(foundation)")
        // The form luaflow's C encoder writes: `/` as is, \n \r \t, other controls as \u00xx.
        var escaped = ""
        for scalar in secret.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        #expect(r.redact(#"{"v":""# + escaped + #""}"#) == #"{"v":"***"}"#)
    }

    @Test func percentEncodedFormsAreHidden() {
        let secret = "k3y with/slash&amp=é"
        let r = redactor(secret)
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let upper = secret.addingPercentEncoding(withAllowedCharacters: unreserved)!
        #expect(upper.contains("%2F") && upper.contains("%C3%A9"))
        #expect(r.redact("GET https://api.example.com/x?api_key=\(upper)&page=2") == "GET https://api.example.com/x?api_key=***&page=2")
        #expect(r.redact("client_secret=\(upper.lowercased())") == "client_secret=***")
    }

    @Test func theLongestSecretWinsWhenOneContainsAnother() {
        let r = redactor("abcd", "xxabcdyy")
        #expect(r.redact("1 xxabcdyy 2 abcd") == "1 *** 2 ***")
    }

    @Test func textWithoutSecretsIsReturnedAsIs() {
        let r = redactor("s3cr3t-value")
        let text = "nothing here: ünïcödé 👩‍👩‍👧"
        #expect(r.redact(text) == text)
        #expect(Redactor().redact(text) == text)
    }
}
