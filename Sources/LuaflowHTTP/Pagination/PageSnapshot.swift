/// What a paginator may look at in the page just received.
public struct PageSnapshot {
    /// The URL that answered (after redirects).
    public var url: String
    public var headers: HTTPHeaderFields
    /// The parsed JSON body, when the paginator reads bodies or a records path is set.
    public var body: Any?
    /// Records on the page (see ``JSONPath/recordCount(at:in:)``), when known.
    public var recordCount: Int?
    /// A hash of the raw body, to notice a server that ignores the page parameter.
    public var bodyDigest: Int?

    public init(url: String, headers: HTTPHeaderFields = [:], body: Any? = nil, recordCount: Int? = nil, bodyDigest: Int? = nil) {
        self.url = url
        self.headers = headers
        self.body = body
        self.recordCount = recordCount
        self.bodyDigest = bodyDigest
    }
}
