import CLuaShim

extension RecordBatch {
    /// A batch of `records` records given as JSON text, one per line, for a built-in source of
    /// another target. The text is checked where it is consumed, like a file's records.
    public convenience init(jsonLines text: [UInt8], records: Int) {
        var buffer = luaflow_buf()
        luaflow_buf_init(&buffer)
        text.withUnsafeBytes { _ = luaflow_buf_append(&buffer, $0.baseAddress, $0.count) }
        self.init(taking: &buffer, records: records, validated: false)
    }
}
