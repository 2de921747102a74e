import Foundation

/// What to send: a method, a URL (absolute, or a path joined to the session's `base_url`), query
/// parameters, header fields and an optional body.
public struct HTTPRequest: Sendable {
    /// Uppercase method name: `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`.
    public var method: String
    /// An absolute `http(s)://` URL, or a path relative to the session's `base_url`. May carry its
    /// own query string; ``query`` is appended to it.
    public var url: String
    /// Query parameters, encoded by the session (RFC 3986 unreserved characters stay as they are).
    public var query: [(String, String)]
    /// Header fields added to the session's headers; a field here replaces a session header of the
    /// same name.
    public var headers: [(String, String)]
    /// The body, sent as is.
    public var body: [UInt8]?

    public init(method: String = "GET", url: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                body: [UInt8]? = nil) {
        self.method = method.uppercased()
        self.url = url
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of the header field `name` (any case).
    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// Replaces every header field called `name` by one with `value`.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.0.caseInsensitiveCompare(name) == .orderedSame }
        headers.append((name, value))
    }

    /// Sets `name` to `value` in ``query``, replacing earlier values of `name`.
    public mutating func setQuery(_ name: String, _ value: String) {
        query.removeAll { $0.0 == name }
        query.append((name, value))
    }

    /// Sends already encoded JSON; sets `Content-Type: application/json` unless a content type is set.
    public mutating func setJSONBody(_ json: [UInt8]) {
        body = json
        if header("Content-Type") == nil { setHeader("Content-Type", "application/json") }
    }

    /// Encodes `object` (dictionaries, arrays, strings, numbers, booleans, `NSNull`) with
    /// `JSONSerialization` and sends it as JSON. Throws ``HTTPError/Kind/invalidConfig`` for
    /// anything else.
    public mutating func setJSONBody(object: Any) throws {
        // Wrapped in an array so top-level scalars are accepted too; the brackets are removed after.
        guard JSONSerialization.isValidJSONObject([object]),
              let data = try? JSONSerialization.data(withJSONObject: [object]) else {
            throw HTTPError.invalidConfig("request body", "value cannot be encoded as JSON")
        }
        setJSONBody(Array(data.dropFirst().dropLast()))
    }

    /// Sends `fields` as `application/x-www-form-urlencoded`.
    public mutating func setFormBody(_ fields: [(String, String)]) {
        body = Array(URLBuilder.encodeQuery(fields).utf8)
        setHeader("Content-Type", "application/x-www-form-urlencoded")
    }

    /// The URL the session will send to: ``url`` resolved against `base` with ``query`` appended.
    public func resolvedURL(base: String?) throws -> String {
        URLBuilder.appending(query, to: try URLBuilder.resolve(url, base: base))
    }
}
