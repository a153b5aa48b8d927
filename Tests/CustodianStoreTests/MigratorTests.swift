import CustodianStore
import CustodianTestSupport
import Foundation
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigratorTests {
    let files: [MigrationFile]

    init() throws {
        files = try MigrationFile.load(from: TestDatabase.migrationsDirectory)
    }

    @Test("the first run applies every file and records its checksum; the second is a no-op")
    func idempotent() async throws {
        try await TestDatabase.withEmpty { name in
            try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { database in
                let migrator = Migrator(database: database, logger: TestDatabase.logger)
                let first = try await migrator.migrate(files)
                #expect(first.map(\.version) == files.map(\.version))
                let second = try await migrator.migrate(files)
                #expect(second.isEmpty)
                let recorded = try await database.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
                    .collect().map { try $0.decode((Int, String).self) }
                #expect(recorded.map(\.0) == files.map(\.version))
                #expect(recorded.map(\.1) == files.map(\.checksum))
            }
        }
    }

    @Test("two migrators at once: the advisory lock lets one apply and the other find nothing to do")
    func concurrent() async throws {
        try await TestDatabase.withEmpty { name in
            let files = self.files
            let results = try await withThrowingTaskGroup(of: [MigrationFile].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { database in
                            try await Migrator(database: database, logger: TestDatabase.logger).migrate(files)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.count).sorted() == [0, files.count])
            try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { database in
                let count = try await database.query("SELECT count(*) FROM schema_migrations").collect().first?.decode(Int.self)
                #expect(count == files.count)
            }
        }
    }

    @Test("a file changed after it was applied is refused, and nothing else is applied")
    func changedFile() async throws {
        try await TestDatabase.withEmpty { name in
            try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { database in
                let migrator = Migrator(database: database, logger: TestDatabase.logger)
                try await migrator.migrate(files)
                var changed = files
                let original = changed[0]
                changed[0] = MigrationFile(version: original.version, name: original.name, sql: original.sql + "\n-- edited\n")
                changed.append(MigrationFile(version: 9999, name: "later", sql: "CREATE TABLE later (id int);"))
                await #expect(throws: Migrator.Refusal.changedAfterApplying(version: original.version, name: original.name)) {
                    try await migrator.migrate(changed)
                }
                let later = try await database.query("SELECT to_regclass('later') IS NOT NULL").collect().first?.decode(Bool.self)
                #expect(later == false)
            }
        }
    }

    @Test("a failing file rolls back entirely and is not recorded")
    func failingFileRollsBack() async throws {
        try await TestDatabase.withEmpty { name in
            try await TestDatabase.running(TestDatabase.pool(database: name, role: .owner)) { database in
                let broken = MigrationFile(version: 1, name: "broken", sql: "CREATE TABLE half (id int);\nSELECT * FROM missing_table;")
                await #expect(throws: (any Error).self) {
                    try await Migrator(database: database, logger: TestDatabase.logger).migrate([broken])
                }
                let half = try await database.query("SELECT to_regclass('half') IS NOT NULL").collect().first?.decode(Bool.self)
                #expect(half == false)
                let count = try await database.query("SELECT count(*) FROM schema_migrations").collect().first?.decode(Int.self)
                #expect(count == 0)
            }
        }
    }

    @Test("migration files must be named NNNN_name.sql")
    func naming() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("0002_second.sql"), atomically: true, encoding: .utf8)
        try "SELECT 1;".write(to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        try "notes".write(to: directory.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        #expect(try MigrationFile.load(from: directory.path).map(\.name) == ["first", "second"])
        try "SELECT 1;".write(to: directory.appendingPathComponent("bad.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationFile.LoadError.self) { try MigrationFile.load(from: directory.path) }
    }
}
