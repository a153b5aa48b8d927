import Crypto
import Foundation

/// One file `Migrations/NNNN_name.sql`: its version, name, text and SHA-256 checksum.
public struct MigrationFile: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Lowercase hex SHA-256 of the file's bytes.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Problems with the migrations folder, named by file.
    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads every `NNNN_name.sql` in `directory`, ordered by version; other files are ignored.
    public static func load(from directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw LoadError(description: "cannot read the migrations folder \(directory)")
        }
        var files: [MigrationFile] = []
        for fileName in names where fileName.hasSuffix(".sql") {
            let stem = fileName.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"),
                  let version = Int(stem[..<underscore]), version > 0
            else { throw LoadError(description: "\(fileName): migration files are named NNNN_name.sql") }
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(fileName)"),
                  let sql = String(data: data, encoding: .utf8)
            else { throw LoadError(description: "\(fileName): cannot read it as UTF-8") }
            files.append(MigrationFile(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        files.sort { $0.version < $1.version }
        for (first, second) in zip(files, files.dropFirst()) where first.version == second.version {
            throw LoadError(description: "two migrations have version \(first.version)")
        }
        return files
    }
}
