import Foundation

/// Any JSON value, for laying out an export whose shape the page does not fix.
enum JSONValue: Decodable {
    case null, bool(Bool), integer(Int64), number(Double), string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var isObject: Bool {
        if case .object = self { true } else { false }
    }

    /// The value as one line of text; a list of scalars joined by commas.
    var text: String {
        switch self {
        case .null: "—"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(value)
        case .string(let value): value
        case .array(let list): list.map(\.text).joined(separator: ", ")
        case .object(let members): members.keys.sorted().map { "\($0): \(members[$0]!.text)" }.joined(separator: "; ")
        }
    }
}
