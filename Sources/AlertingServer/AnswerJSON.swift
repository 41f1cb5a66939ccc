import Alerting
import Foundation

/// An answer's body (dictionaries, arrays, strings, numbers, booleans, as the handlers build
/// them) as compact JSON with sorted keys, written directly (``JSONValue/compactJSON``).
/// Foundation's `JSONSerialization` with sorted keys compares keys through ICU's collator: it was
/// a third of `serve`'s CPU under load, for answers of a few dozen bytes.
enum AnswerJSON {
    static func encode(_ object: Any) -> [UInt8] {
        Array(value(of: object).compactJSON.utf8)
    }

    static func value(of object: Any) -> JSONValue {
        switch object {
        case let value as JSONValue: value
        case let value as String: .string(value)
        case let value as Substring: .string(String(value))
        case let value as Bool: .bool(value)
        case let value as Int: .int(Int64(value))
        case let value as Int64: .int(value)
        case let value as Int32: .int(Int64(value))
        case let value as UInt: .int(Int64(clamping: value))
        case let value as Double: .double(value)
        case let value as [String: Any]: .object(value.mapValues(Self.value))
        case let value as [Any]: .array(value.map(Self.value))
        case is NSNull: .null
        default:
            // An optional that was put in as Any: its value, or null.
            if Mirror(reflecting: object).displayStyle == .optional {
                Mirror(reflecting: object).children.first.map { Self.value(of: $0.value) } ?? .null
            } else {
                .string("\(object)")
            }
        }
    }
}
