import CLuaShim

/// The header row of CSV content, parsed by the C CSV reader as `source.file` reads it: a quoted
/// name may hold the delimiter, quotes and line breaks.
enum CSVHeader {
    /// The names of the header row at the start of `head` (a UTF-8 BOM and blank lines before it
    /// are skipped); nil when `head` holds no row. Throws `FileConfigError` when the row is not CSV.
    static func columns(in head: [UInt8], delimiter: UInt8) throws -> [String]? {
        var names = luaflow_buf()
        luaflow_buf_init(&names)
        defer { luaflow_buf_free(&names) }
        var err = [CChar](repeating: 0, count: 256)
        let errCount = err.count
        let count = head.withUnsafeBufferPointer {
            UnsafeRawBufferPointer($0).withMemoryRebound(to: CChar.self) {
                luaflow_csv_header($0.baseAddress, $0.count, CChar(bitPattern: delimiter), &names, &err, errCount)
            }
        }
        if count < 0 {
            let shown = delimiter == 0x09 ? "\\t" : String(UnicodeScalar(delimiter))
            throw FileConfigError("its first row is not a CSV header (\(String(cString: err))); expected column names separated by '\(shown)'")
        }
        if count == 0 { return nil }
        let bytes = UnsafeRawBufferPointer(start: names.data, count: names.len)
        return bytes.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }
}
