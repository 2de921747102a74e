import CLuaShim

extension RecordBatch {
    /// A batch of records a Swift built-in encoded itself (a database source): `jsonLines` holds
    /// `records` JSON objects, one per line, known to be valid JSON.
    public convenience init(encodedLines jsonLines: [UInt8], records: Int) {
        var buffer = luaflow_buf()
        luaflow_buf_init(&buffer)
        if luaflow_buf_append(&buffer, jsonLines, jsonLines.count) != 0 { fatalError("out of memory for a batch of \(jsonLines.count) bytes") }
        self.init(taking: &buffer, records: records, validated: true)
    }

    /// The batch's text: JSON records, one per line (for Swift built-ins that read records).
    public var jsonLines: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: bytes, count: length)
    }
}
