import Foundation
import NIOCore
import PostgresNIO

/// Writes PostgreSQL values (as the server sends them, in binary) as JSON text:
///
/// | PostgreSQL | JSON |
/// | --- | --- |
/// | smallint, integer, bigint, oid | number |
/// | real, double precision | number (`NaN`, `Infinity` as strings) |
/// | numeric | string with every digit (`numeric = "number"`: a number with every digit) |
/// | boolean | true / false |
/// | text, varchar, char, name, enum, citext... | string |
/// | timestamptz | `"2024-01-02T03:04:05.123456Z"` |
/// | timestamp | `"2024-01-02T03:04:05.123456"` |
/// | date, time, timetz, interval | ISO-8601 strings (`"P1Y2M3DT4H5M6S"` for intervals) |
/// | uuid, inet, cidr | string |
/// | bytea | base64 string |
/// | json, jsonb | the value itself |
/// | arrays | arrays (nested for several dimensions), elements mapped as above |
/// | NULL | null |
///
/// Another type whose value is valid UTF-8 text is written as a string; anything else is an error
/// naming the column and suggesting a cast.
struct PostgresValueJSON {
    /// How `numeric` values are written.
    enum NumericStyle: String, Sendable { case string, number }

    var numeric: NumericStyle = .string

    /// A value that could not be written.
    struct Unsupported: Error { let type: PostgresDataType }

    /// Appends the JSON of one value (`bytes` nil: SQL NULL) of type `type` to `out`.
    func append(_ type: PostgresDataType, _ bytes: ByteBuffer?, to out: inout [UInt8]) throws {
        guard var buffer = bytes else { out += JSONBytes.null; return }
        switch type {
        case .bool: out += buffer.readInteger(as: UInt8.self) == 1 ? Array("true".utf8) : Array("false".utf8)
        case .int2: out += Array(String(buffer.readInteger(as: Int16.self) ?? 0).utf8)
        case .int4: out += Array(String(buffer.readInteger(as: Int32.self) ?? 0).utf8)
        case .int8: out += Array(String(buffer.readInteger(as: Int64.self) ?? 0).utf8)
        case .oid, .xid, .cid: out += Array(String(buffer.readInteger(as: UInt32.self) ?? 0).utf8)
        case .float4: JSONBytes.appendDouble(Double(Float(bitPattern: buffer.readInteger(as: UInt32.self) ?? 0)), to: &out)
        case .float8: JSONBytes.appendDouble(Double(bitPattern: buffer.readInteger(as: UInt64.self) ?? 0), to: &out)
        case .numeric:
            let (text, finite) = PostgresNumericText.format(&buffer)
            if numeric == .number && finite { out += Array(text.utf8) } else { JSONBytes.appendString(text, to: &out) }
        case .timestamptz: JSONBytes.appendString(PostgresTimeText.timestamp(buffer.readInteger(as: Int64.self) ?? 0, zone: true), to: &out)
        case .timestamp: JSONBytes.appendString(PostgresTimeText.timestamp(buffer.readInteger(as: Int64.self) ?? 0, zone: false), to: &out)
        case .date: JSONBytes.appendString(PostgresTimeText.date(buffer.readInteger(as: Int32.self) ?? 0), to: &out)
        case .time: JSONBytes.appendString(PostgresTimeText.time(buffer.readInteger(as: Int64.self) ?? 0), to: &out)
        case .timetz:
            let micros = buffer.readInteger(as: Int64.self) ?? 0
            JSONBytes.appendString(PostgresTimeText.time(micros, westOffset: buffer.readInteger(as: Int32.self) ?? 0), to: &out)
        case .interval:
            let micros = buffer.readInteger(as: Int64.self) ?? 0
            let days = buffer.readInteger(as: Int32.self) ?? 0
            JSONBytes.appendString(PostgresTimeText.interval(micros: micros, days: days, months: buffer.readInteger(as: Int32.self) ?? 0), to: &out)
        case .uuid:
            let bytes = buffer.readBytes(length: 16) ?? []
            JSONBytes.appendString(UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                                          bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])).uuidString.lowercased(), to: &out)
        case .bytea: JSONBytes.appendString(Data(buffer.readableBytesView).base64EncodedString(), to: &out)
        case .json: out += buffer.readableBytesView
        case .jsonb:
            buffer.moveReaderIndex(forwardBy: 1)  // the jsonb format version
            out += buffer.readableBytesView
        case .inet, .cidr: JSONBytes.appendString(try Self.address(&buffer, type: type), to: &out)
        default:
            if Self.isArray(&buffer) {
                try appendArray(&buffer, to: &out)
            } else if let text = String(validating: buffer.readableBytesView, as: UTF8.self), !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
                JSONBytes.appendString(text, to: &out)
            } else {
                throw Unsupported(type: type)
            }
        }
    }

    /// A binary array: ndim, has-nulls flag, element type, then (length, lower bound) per
    /// dimension and the elements, each with its length (-1 for NULL).
    private func appendArray(_ buffer: inout ByteBuffer, to out: inout [UInt8]) throws {
        let dimensions = Int(buffer.readInteger(as: Int32.self)!)
        buffer.moveReaderIndex(forwardBy: 4)
        let element = PostgresDataType(buffer.readInteger(as: UInt32.self)!)
        var lengths: [Int] = []
        for _ in 0..<dimensions {
            lengths.append(Int(buffer.readInteger(as: Int32.self) ?? 0))
            buffer.moveReaderIndex(forwardBy: 4)
        }
        guard !lengths.isEmpty else { out += Array("[]".utf8); return }
        func level(_ depth: Int) throws {
            out.append(UInt8(ascii: "["))
            for i in 0..<lengths[depth] {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                if depth + 1 < lengths.count {
                    try level(depth + 1)
                } else {
                    let length = Int(buffer.readInteger(as: Int32.self) ?? -1)
                    try append(element, length < 0 ? nil : buffer.readSlice(length: length), to: &out)
                }
            }
            out.append(UInt8(ascii: "]"))
        }
        try level(0)
    }

    /// Whether the value looks like a binary array header of a type the server knows as one:
    /// 0 or more dimensions (at most 6), a 0/1 null flag and a plausible element type.
    private static func isArray(_ buffer: inout ByteBuffer) -> Bool {
        guard buffer.readableBytes >= 12,
              let dimensions = buffer.getInteger(at: buffer.readerIndex, as: Int32.self),
              let flags = buffer.getInteger(at: buffer.readerIndex + 4, as: Int32.self),
              let element = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self) else { return false }
        return (0...6).contains(dimensions) && (flags == 0 || flags == 1) && element > 0 && element < 1_000_000
            && buffer.readableBytes >= 12 + Int(dimensions) * 8
    }

    /// inet / cidr: family, prefix bits, is-cidr flag, address length, address.
    private static func address(_ buffer: inout ByteBuffer, type: PostgresDataType) throws -> String {
        guard let family = buffer.readInteger(as: UInt8.self), let bits = buffer.readInteger(as: UInt8.self),
              buffer.readInteger(as: UInt8.self) != nil, let length = buffer.readInteger(as: UInt8.self),
              let bytes = buffer.readBytes(length: Int(length)) else { throw Unsupported(type: type) }
        var text = [CChar](repeating: 0, count: 64)
        let af = family == 2 ? AF_INET : AF_INET6
        guard inet_ntop(af, bytes, &text, socklen_t(text.count)) != nil else { throw Unsupported(type: type) }
        let full = family == 2 ? 32 : 128
        let address = String(cString: text)
        return type == .cidr || Int(bits) != full ? "\(address)/\(bits)" : address
    }
}
