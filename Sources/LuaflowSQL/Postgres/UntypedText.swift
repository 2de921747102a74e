import NIOCore
import PostgresNIO

/// A parameter sent as text with no type (OID 0): the server gives it the type its place in the
/// statement needs, as `psql` does for literals.
struct UntypedText: PostgresDynamicTypeEncodable {
    let value: String

    init(_ value: String) { self.value = value }

    var psqlType: PostgresDataType { PostgresDataType(0) }
    var psqlFormat: PostgresFormat { .text }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(value)
    }
}
