import Foundation

/// The export laid out for reading: one section per top-level member, headed in the reader's language (`heading`); an
/// object is one table, a list of objects one table per item; nested members are named by their path.
struct ExportView {
    let sections: [ExportSection]

    init(json: String, heading: (String) -> String = { $0 }) {
        guard case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)) else {
            sections = []
            return
        }
        var summary: [ExportRow] = []
        var sections: [ExportSection] = []
        for key in object.keys.sorted() {
            switch object[key] {
            case .object(let member):
                sections.append(ExportSection(title: heading(key), tables: [ExportTable(title: nil, rows: Self.rows(member, prefix: ""))]))
            case .array(let list) where list.isEmpty || list.contains(where: \.isObject):
                let tables = list.enumerated().map { index, item in
                    if case .object(let member) = item { return ExportTable(title: "\(heading(key)) #\(index + 1)", rows: Self.rows(member, prefix: "")) }
                    return ExportTable(title: "\(heading(key)) #\(index + 1)", rows: [ExportRow(name: "value", value: item.text)])
                }
                sections.append(ExportSection(title: heading(key), tables: tables, empty: tables.isEmpty))
            case let value?:
                summary.append(ExportRow(name: key, value: value.text))
            case nil:
                break
            }
        }
        self.sections = [ExportSection(title: heading("export"), tables: [ExportTable(title: nil, rows: summary)])] + sections
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

/// One top-level member of the export.
struct ExportSection {
    let title: String
    let tables: [ExportTable]
    var empty = false
}

/// A table of named values, captioned when it is one item of a list.
struct ExportTable {
    let title: String?
    let rows: [ExportRow]
    /// Stored for the template: a nil `title` would let Mustache find the section's instead.
    let hasTitle: Bool

    init(title: String?, rows: [ExportRow]) {
        self.title = title
        self.rows = rows
        hasTitle = title != nil
    }
}

/// One named value.
struct ExportRow {
    let name: String
    let value: String
}
