extension HTTPRequest {
    /// Characters an RFC 9110 token may hold (§5.6.2 `tchar`), besides letters and digits.
    private static let tokenSymbols = Set("!#$%&'*+-.^_`|~".unicodeScalars)

    /// Whether `method` is an RFC 9110 method token (`GET`, `PROPFIND`...): not empty, and only
    /// letters, digits and ``tokenSymbols`` (no space, CR or LF that would split the request).
    public static func isValid(method: String) -> Bool {
        !method.isEmpty && method.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenSymbols.contains($0))
        }
    }

    /// Throws ``HTTPError/Kind/invalidConfig`` unless ``isValid(method:)``.
    static func validate(method: String) throws {
        guard isValid(method: method) else {
            throw HTTPError.invalidConfig("http", "method \(String(reflecting: method)) is not an HTTP method "
                                          + "(RFC 9110: letters, digits and !#$%&'*+-.^_`|~ only)")
        }
    }
}
