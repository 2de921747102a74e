import Foundation

/// A complete response: status, header fields, the whole body (already decompressed when the
/// server sent gzip or deflate), the final URL after redirects and how many attempts it took.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields with case-insensitive lookup. When the body was decompressed,
    /// `Content-Encoding` and `Content-Length` are removed (they described the compressed bytes).
    public var headers: HTTPHeaderFields
    public var body: [UInt8]
    /// The URL that produced this response, after redirects.
    public var url: String
    /// How many times the request was sent (1 when the first try succeeded).
    public var attempts: Int
    /// A `skip` response action matched: the response means "nothing here".
    public var skipped = false

    public init(status: Int, headers: HTTPHeaderFields = [:], body: [UInt8] = [], url: String, attempts: Int = 1) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.attempts = attempts
    }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed with `JSONSerialization` (top-level scalars allowed). Throws
    /// ``HTTPError/Kind/invalidResponse`` naming the URL when the body is not JSON.
    public func json() throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw HTTPError(.invalidResponse, url: url, status: status, attempts: attempts, body: body,
                            detail: "response is not valid JSON")
        }
    }
}
