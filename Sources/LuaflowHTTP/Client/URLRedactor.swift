import Foundation
import LuaflowCore

/// Hides secrets in URLs before they reach an error message or a log line:
/// userinfo (`https://user:pass@host`), the values of query parameters whose names look like
/// credentials (`api_key`, `token`, `access_token`, `password`, `secret`, `signature`, `key`,
/// `client_secret`...), and every value registered in `Redactor.shared`.
///
/// Works on the raw string, so malformed URLs are redacted too and the rest stays byte for byte.
public enum URLRedactor {
    /// Whether a query parameter named `name` carries a credential (``CredentialNames``).
    public static func isSensitiveParameter(_ name: String) -> Bool {
        CredentialNames.contains(name)
    }

    /// The URL with userinfo and sensitive parameter values replaced by `***`.
    public static func redact(_ url: String) -> String {
        var text = url
        if let fragment = text.firstIndex(of: "#") { text = String(text[..<fragment]) }
        var query: Substring?
        if let mark = text.firstIndex(of: "?") {
            query = text[text.index(after: mark)...]
            text = String(text[..<mark])
        }
        text = redactUserinfo(text)
        if let query {
            let items = query.split(separator: "&", omittingEmptySubsequences: false).map(redactItem)
            text += "?" + items.joined(separator: "&")
        }
        return Redactor.shared.redact(text)
    }

    /// The values ``redact(_:)`` hides in `url` (sensitive query parameters, userinfo), to
    /// register with `Redactor.shared` for a URL that is held open (an event stream, a
    /// WebSocket): a server that echoes its request URL cannot put them in an error message.
    public static func secrets(in url: String) -> [String] {
        guard let components = URLComponents(string: url) else { return [] }
        var values = (components.queryItems ?? []).compactMap { item in
            isSensitiveParameter(item.name) ? item.value.flatMap { $0.isEmpty ? nil : $0 } : nil
        }
        if let password = components.password, !password.isEmpty { values.append(password) }
        return values
    }

    private static func redactUserinfo(_ text: String) -> String {
        guard let scheme = text.range(of: "://") else { return text }
        let authorityStart = scheme.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        guard let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") else { return text }
        return String(text[..<authorityStart]) + "***" + String(text[at...])
    }

    private static func redactItem(_ item: Substring) -> String {
        guard let equals = item.firstIndex(of: "=") else { return String(item) }
        let name = String(item[..<equals]).removingPercentEncoding ?? String(item[..<equals])
        guard isSensitiveParameter(name), item.index(after: equals) < item.endIndex else { return String(item) }
        return String(item[...equals]) + "***"
    }
}
