import ArgumentParser
import CustodianStore
import Logging

/// `custodian migrate`: applies pending migrations (a no-op when the database is up to date), then records the
/// controller's time zone (`CUSTODIAN_TIME_ZONE`) for the dashboard's daily rollups.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @Option(help: "The folder of NNNN_name.sql files.")
    var migrationsDir: String = "Migrations"

    func run() async throws {
        let files = try MigrationFile.load(from: migrationsDir)
        let settings = Settings()
        let timeZone = try settings.timeZone
        let applied = try await settings.withDatabase { database in
            let applied = try await Migrator(database: database, logger: Logger(label: "custodian.migrate")).migrate(files)
            try await ControllerSettingsRepository(database: database).record(timeZone: timeZone)
            return applied
        }
        let summary = applied.isEmpty
            ? "database is up to date (\(files.count) migrations)"
            : "applied \(applied.count) migration(s): \(applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))"
        print(summary)
    }
}
