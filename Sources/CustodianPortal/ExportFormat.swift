import Foundation
import HTTPTypes
import Hummingbird

/// The two forms an access export is downloaded in: the machine-readable JSON itself, and a page a person can read.
enum ExportFormat: String, Sendable {
    case json, html

    /// The export as a download (`Content-Disposition: attachment`), never cached.
    func download(_ json: String, requestID: UUID, language: PortalLanguage, renderer: PortalRenderer) -> Response {
        let name = "export-\(requestID.uuidString.lowercased()).\(rawValue)"
        var response: Response
        switch self {
        case .json:
            response = Response(status: .ok, headers: PortalRenderer.securityHeaders(stylesheet: nil), body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
            response.headers[.contentType] = "application/json"
        case .html:
            response = renderer.page("privacy-export", title: "export_title", chrome: PortalChrome(language: language), page: ExportView(json: json))
        }
        response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        return response
    }
}

/// The export laid out for reading: one section per top-level member; an object is one table, a list of objects one
/// table per item; nested members are named by their path.
struct ExportView {
    let sections: [ExportSection]

    init(json: String) {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
            sections = []
            return
        }
        var summary: [ExportRow] = []
        var sections: [ExportSection] = []
        for key in object.keys.sorted() {
            switch object[key] {
            case .object(let member):
                sections.append(ExportSection(title: key, tables: [ExportTable(title: nil, rows: Self.rows(member, prefix: ""))]))
            case .array(let list) where list.isEmpty || list.contains(where: \.isObject):
                let tables = list.enumerated().map { index, item in
                    if case .object(let member) = item { return ExportTable(title: "\(key) #\(index + 1)", rows: Self.rows(member, prefix: "")) }
                    return ExportTable(title: "\(key) #\(index + 1)", rows: [ExportRow(name: "value", value: item.text)])
                }
                sections.append(ExportSection(title: key, tables: tables, empty: tables.isEmpty))
            case let value?:
                summary.append(ExportRow(name: key, value: value.text))
            case nil:
                break
            }
        }
        self.sections = [ExportSection(title: "export", tables: [ExportTable(title: nil, rows: summary)])] + sections
    }

    /// The members of `object`, nested ones by path (`delivery.city`, `items[1].sku`).
    static func rows(_ object: [String: JSONValue], prefix: String) -> [ExportRow] {
        object.keys.sorted().flatMap { key -> [ExportRow] in
            let name = prefix + key
            switch object[key] {
            case .object(let member):
                return rows(member, prefix: name + ".")
            case .array(let list) where list.contains(where: \.isObject):
                return list.enumerated().flatMap { index, item -> [ExportRow] in
                    if case .object(let member) = item { return rows(member, prefix: "\(name)[\(index + 1)].") }
                    return [ExportRow(name: "\(name)[\(index + 1)]", value: item.text)]
                }
            case let value?:
                return [ExportRow(name: name, value: value.text)]
            case nil:
                return []
            }
        }
    }
}

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

/// One top-level member of the export.
struct ExportSection {
    let title: String
    let tables: [ExportTable]
    var empty = false
}

/// A table of named values.
struct ExportTable {
    let title: String?
    let rows: [ExportRow]
}

/// One named value.
struct ExportRow {
    let name: String
    let value: String
}
