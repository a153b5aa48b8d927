import ArgumentParser
import CustodianCore
import Foundation

/// The refused customers of an import, one JSON object per line: the line the customer starts on and each member at
/// fault with the reason. Never a value: the report may travel where personal data may not.
final class RefusalReport {
    private let handle: FileHandle
    private let encoder = JSONEncoder()

    private struct Entry: Encodable {
        let line: Int
        let errors: [Member]
    }

    private struct Member: Encodable {
        let field: String
        let message: String
    }

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write the report \(path)")
        }
        self.handle = handle
        encoder.outputFormatting = .sortedKeys
    }

    func write(line: Int, errors: [FieldError]) throws {
        var data = try encoder.encode(Entry(line: line, errors: errors.map { Member(field: $0.field, message: $0.message) }))
        data.append(10)
        try handle.write(contentsOf: data)
    }

    func close() throws {
        try handle.close()
    }
}
