/// One page fetched by a ``PageIterator``.
public struct Page {
    public var response: HTTPResponse
    /// 1 for the first page.
    public var number: Int
    /// Records on the page under the records path, when the body was read (the paginator needs the
    /// count, or a records path is set).
    public var recordCount: Int?
    /// The records as JSON lines, when asked for (``PageIterator/next(records:)``).
    public var records: PageRecords? = nil
}
