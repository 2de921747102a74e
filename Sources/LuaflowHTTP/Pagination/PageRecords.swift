import CLuaShim
import Foundation
import LuaflowCore

/// The records of one page as JSON text, one record per line, cut out of the response body
/// without decoding it: the array at the records path is split in C (the splitter `source.file`
/// uses for JSON arrays) and every record is checked to be valid JSON. What a `get()` source hands
/// to the pipeline as it is (``LuaBridge/LuaValue/recordLines(_:count:)``).
public struct PageRecords: Sendable, Equatable {
    /// JSON text, one record per line, each followed by a line feed.
    public var lines: [UInt8]
    public var count: Int

    public init(lines: [UInt8] = [], count: Int = 0) {
        self.lines = lines
        self.count = count
    }

    /// Splits the value at `span` of `body`: an array gives one record per element, `null` none.
    /// Throws ``HTTPError/Kind/invalidResponse`` for anything else (an object, a scalar), for a
    /// record that is not valid JSON or UTF-8, and for a malformed array.
    public static func split(_ body: [UInt8], span: Range<Int>) throws -> PageRecords {
        try body.withUnsafeBufferPointer { buffer in
            let value = UnsafeBufferPointer(rebasing: buffer[span])
            guard let first = value.first else { throw failure("no value where the records should be") }
            if first == UInt8(ascii: "n") { return PageRecords() }  // null: a page without records
            guard first == UInt8(ascii: "[") else {
                throw failure("the records are not a list (found \(first == UInt8(ascii: "{") ? "an object" : "a single value"))")
            }
            return try lines(of: value)
        }
    }

    private static func lines(of array: UnsafeBufferPointer<UInt8>) throws -> PageRecords {
        guard let splitter = luaflow_json_splitter_new() else { throw failure("out of memory") }
        defer { luaflow_json_splitter_free(splitter) }
        var out = luaflow_buf()
        var lineNumbers = luaflow_i64buf()
        luaflow_buf_init(&out)
        luaflow_i64buf_init(&lineNumbers)
        defer {
            luaflow_buf_free(&out)
            luaflow_i64buf_free(&lineNumbers)
        }
        var bad = luaflow_bad_record()
        var message = [CChar](repeating: 0, count: 256)
        let consumed = array.withMemoryRebound(to: CChar.self) { text in
            luaflow_json_split(splitter, text.baseAddress, text.count, 1, &out, &lineNumbers, &bad, &message, message.count)
        }
        if consumed < 0 { throw failure(String(cString: message)) }
        if bad.found != 0 {
            throw failure("record \(lineNumbers.len + 1) is not valid UTF-8 (\(withUnsafeBytes(of: bad.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }))")
        }
        var count = 0
        if let base = out.data {
            for line in RecordLines(base, count: out.len) {
                count += 1
                if luaflow_json_validate(base + line.lowerBound, line.count, &message, message.count) == 0 {
                    throw failure("record \(count) is not valid JSON (\(String(cString: message)))")
                }
            }
        }
        return PageRecords(lines: Array(UnsafeRawBufferPointer(start: out.data, count: out.len)), count: count)
    }

    private static func failure(_ detail: String) -> HTTPError {
        HTTPError(.invalidResponse, detail: detail)
    }
}
