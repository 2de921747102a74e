/// One page fetched by a ``PageIterator``.
public struct Page {
    public var response: HTTPResponse
    /// 1 for the first page.
    public var number: Int
    /// The parsed body, when the paginator needed it or a records path is set (else nil: decode
    /// `response.body` yourself).
    public var json: Any?
    /// Records on the page under the records path, when ``json`` was parsed.
    public var recordCount: Int?
    /// The records under the records path (the body when there is none), when ``json`` was parsed.
    public var records: Any?
}
