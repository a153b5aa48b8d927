import ArgumentParser
import CustodianStore
import Logging

/// `custodian migrate`: applies pending migrations (a no-op when the database is up to date) as the owner role of
/// `MIGRATION_DATABASE_URL` (or `DATABASE_URL`), grants the application role of `DATABASE_URL` exactly what `serve`
/// and `work` need when the two roles differ, then records the controller's time zone (`CUSTODIAN_TIME_ZONE`) for
/// the dashboard's daily rollups.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending database migrations.")

    @Option(help: "The folder of NNNN_name.sql files.")
    var migrationsDir: String = "Migrations"

    func run() async throws {
        let files = try MigrationFile.load(from: migrationsDir)
        let settings = Settings()
        let timeZone = try settings.timeZone
        let owner = try settings.migrationDatabaseURL()
        let application = try settings.databaseURL().configuration.username
        let separateRoles = application != owner.configuration.username
        let applied = try await settings.withDatabase(url: owner) { database in
            let applied = try await Migrator(database: database, logger: Logger(label: "custodian.migrate")).migrate(files)
            if separateRoles {
                try await ApplicationRolePrivileges(role: application).apply(on: database)
            }
            try await ControllerSettingsRepository(database: database).record(timeZone: timeZone)
            return applied
        }
        let summary = applied.isEmpty
            ? "database is up to date (\(files.count) migrations)"
            : "applied \(applied.count) migration(s): \(applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))"
        print(summary)
        if separateRoles {
            print("role \(application) may read and write rows only (the evidence: read and append)")
        } else {
            print("note: serve and work connect as the owner of the tables; for least privilege set MIGRATION_DATABASE_URL to the owner and DATABASE_URL to an application role")
        }
    }
}
