import NIOCore
import PostgresNIO

/// One column of a batch of rows, bound as a single array parameter and read back with
/// `unnest`: a statement per table per batch, not per row. Unlike postgres-nio's own arrays its
/// elements may be NULL (an alert without an environment).
struct PostgresColumn<Element: PostgresArrayEncodable & PostgresNonThrowingEncodable>: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable {
    var values: [Element?]

    init(_ values: [Element?]) { self.values = values }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    /// PostgreSQL's binary array: dimensions, a has-NULLs flag, the element type, the length and
    /// lower bound of the one dimension, then each element as its length (-1: NULL) and bytes.
    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(values.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count), as: Int32.self)
        buffer.writeInteger(1, as: Int32.self)
        for value in values {
            if let value {
                let lengthAt = buffer.writerIndex
                buffer.writeInteger(0, as: Int32.self)
                value.encode(into: &buffer, context: context)
                buffer.setInteger(Int32(buffer.writerIndex - lengthAt - 4), at: lengthAt, as: Int32.self)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
        }
    }
}
