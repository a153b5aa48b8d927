import Foundation

/// A JSON value as PostgreSQL wrote it, to open sealed values in and write again (``SubjectExport``).
enum ExportValue: Codable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([ExportValue])
    case object([String: ExportValue])

    /// A string, or null.
    init(_ string: String?) {
        self = string.map(ExportValue.string) ?? .null
    }

    var string: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// An array of strings; nil for anything else.
    var strings: [String]? {
        guard case .array(let elements) = self else { return nil }
        let strings = elements.compactMap(\.string)
        return strings.count == elements.count ? strings : nil
    }

    /// Tries the kinds in the order an export holds them most (strings, then objects and arrays), since every kind tried
    /// and not found costs a thrown error.
    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let string = try? single.decode(String.self) {
            self = .string(string)
        } else if let object = try? single.decode([String: ExportValue].self) {
            self = .object(object)
        } else if let array = try? single.decode([ExportValue].self) {
            self = .array(array)
        } else if let bool = try? single.decode(Bool.self) {
            self = .bool(bool)
        } else if let integer = try? single.decode(Int64.self) {
            self = .integer(integer)
        } else {
            self = .number(try single.decode(Double.self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .null: try single.encodeNil()
        case .bool(let value): try single.encode(value)
        case .integer(let value): try single.encode(value)
        case .number(let value): try single.encode(value)
        case .string(let value): try single.encode(value)
        case .array(let value): try single.encode(value)
        case .object(let value): try single.encode(value)
        }
    }
}
