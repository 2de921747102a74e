/// What a paginator may look at in the page just received: the URL, the headers, the values at
/// the body paths it declared (``PaginationStateMachine/bodyPaths``) and the record count.
public struct PageSnapshot {
    /// The URL that answered (after redirects).
    public var url: String
    public var headers: HTTPHeaderFields
    /// Values at the paginator's body paths: `String`, `Int`, `Double`, `Bool` (or `NSNumber`
    /// from a parsed body), ``JSONScanner/container`` for an object or array. Missing and null are absent.
    public var values: [String: Any]
    /// Records on the page, when known.
    public var recordCount: Int?
    /// A hash of the raw body, to notice a server that ignores the page parameter.
    public var bodyDigest: Int?

    public init(url: String, headers: HTTPHeaderFields = [:], values: [String: Any] = [:], recordCount: Int? = nil,
                bodyDigest: Int? = nil) {
        self.url = url
        self.headers = headers
        self.values = values
        self.recordCount = recordCount
        self.bodyDigest = bodyDigest
    }

    /// A snapshot from an already parsed body (`JSONSerialization` output).
    public init(url: String, headers: HTTPHeaderFields = [:], json: Any, paths: [String], recordsPath: String?,
                bodyDigest: Int? = nil) {
        var values: [String: Any] = [:]
        for path in paths { values[path] = JSONPath.lookup(path, in: json) }
        self.init(url: url, headers: headers, values: values, recordCount: recordsPath.map { JSONPath.recordCount(at: $0, in: json) },
                  bodyDigest: bodyDigest)
    }

    /// The value at `path` (one of the paginator's body paths).
    public func value(at path: String) -> Any? {
        values[path]
    }
}
