import CoreMetrics
import CustodianCore
import CustodianStore
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Isolated PostgreSQL databases for tests, on the server the test command started (`CUSTODIAN_TEST_DATABASE_URL`
/// or `DATABASE_URL`). Each test gets its own database, cloned from a template migrated once per test process,
/// and dropped afterwards.
public enum TestDatabase {
    /// The operator the test databases record, as destruction acts name it.
    public static let testOperator = try! OperatorIdentity(
        name: "Test Shop LLC", address: "1 Test Street, Moscow", responsibleName: "Test Responsible",
        responsiblePosition: "Person responsible for processing", processor: nil)
    /// The package's `Migrations/` folder.
    public static let migrationsDirectory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Migrations").path

    public static let logger: Logger = {
        var logger = Logger(label: "custodian.test")
        logger.logLevel = .error
        return logger
    }()

    /// The keys the test pools seal personal data with, made for this test process, and the same as the settings a
    /// `custodian` process started by a test is given (``keyEnvironment``).
    public static let keyEnvironment: [String: String] = [
        "CUSTODIAN_KEK": KeyEncryptionKey.newSetting(id: "test"),
        "CUSTODIAN_BLIND_INDEX_KEY": Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString(),
    ]
    public static let personalDataKeys = PersonalDataKeys(
        current: KeyEncryptionKey(setting: keyEnvironment["CUSTODIAN_KEK"]!)!,
        indexKey: Data(base64Encoded: keyEnvironment["CUSTODIAN_BLIND_INDEX_KEY"]!)!)!

    /// The server's URL; tests fail with this message when the test command did not start one.
    public static func serverURL() throws -> DatabaseURL {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["CUSTODIAN_TEST_DATABASE_URL"] ?? environment["DATABASE_URL"] else {
            throw TestDatabaseError("Set CUSTODIAN_TEST_DATABASE_URL (scripts/test does) to a PostgreSQL server the tests may create databases on.")
        }
        return try DatabaseURL(url)
    }

    /// Who a pool connects as: the roles of a deployment — the owner migrates, `serve` and `work` connect as the
    /// application role — or the server's administrator, who creates and drops the test databases.
    public enum Role: Sendable {
        case owner, application, administrator

        /// The role's name; the administrator is the user of the server's URL.
        public func name() throws -> String {
            switch self {
            case .owner: "custodian"
            case .application: "custodian_app"
            case .administrator: try serverURL().configuration.username
            }
        }
    }

    /// A pool on the database `name` of the test server, as `role` (by default the application's, as `serve` and
    /// `work` connect); with `onePerLoopOf`, one pool per loop of that group, as `serve` has.
    public static func pool(
        database name: String, role: Role = .application, maximumConnections: Int = 10, operationTimeout: Duration = .seconds(15),
        metricsFactory: any MetricsFactory = NOOPMetricsHandler.instance, personalDataKeys: PersonalDataKeys = TestDatabase.personalDataKeys,
        onePerLoopOf group: (any EventLoopGroup)? = nil, logger: Logger = TestDatabase.logger
    ) throws -> Database {
        var configuration = try serverURL().poolConfiguration(
            maximumConnections: maximumConnections, connectTimeout: .seconds(10), statementTimeout: nil)
        configuration.database = name
        configuration.username = try role.name()
        return Database(
            pools: group.map { ConnectionPools(configuration: configuration, onePerLoopOf: $0, logger: logger) }
                ?? ConnectionPools(configuration: configuration, logger: logger),
            maximumConnections: maximumConnections, operationTimeout: operationTimeout, metricsFactory: metricsFactory,
            personalDataKeys: personalDataKeys, logger: logger)
    }

    /// Runs `body` with a fresh migrated database whose pool, as `role`, is running.
    public static func withMigrated<Result: Sendable>(
        as role: Role = .application, _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        try await withMigratedName { name in
            try await running(pool(database: name, role: role), body)
        }
    }

    /// Runs `body` with the name of a fresh migrated database, for callers that make their own pool.
    public static func withMigratedName<Result: Sendable>(_ body: @Sendable (String) async throws -> Result) async throws -> Result {
        try await withFresh(template: try await Template.shared.name(), owner: .owner, body)
    }

    /// Runs `body` with the name of a fresh, empty database (not migrated), owned by `owner` (the administrator's for a
    /// restore target, which re-creates schemas a dump names).
    public static func withEmpty<Result: Sendable>(
        owner: Role = .owner, _ body: @Sendable (String) async throws -> Result
    ) async throws -> Result {
        try await withFresh(template: "template0", owner: owner, body)
    }

    /// Runs `body`, then `cleanup` whether it threw or not; a failing cleanup fails only a body that succeeded.
    static func withCleanup<Result: Sendable>(
        _ body: @Sendable () async throws -> Result, cleanup: @Sendable () async throws -> Void
    ) async throws -> Result {
        let result: Result
        do {
            result = try await body()
        } catch {
            try? await cleanup()
            throw error
        }
        try await cleanup()
        return result
    }

    /// Runs `body` while `database`'s pool runs.
    public static func running<Result: Sendable>(_ database: Database, _ body: @Sendable (Database) async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.pools.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    private static func withFresh<Result: Sendable>(
        template: String, owner: Role, _ body: @Sendable (String) async throws -> Result
    ) async throws -> Result {
        let name = "test_\(UUID().uuidString.prefix(8).lowercased())_\(UInt32.random(in: 0...UInt32.max))"
        try await Roles.shared.created()
        try await administer("CREATE DATABASE \(name) TEMPLATE \(template) OWNER \(try owner.name())")
        return try await withCleanup({ try await body(name) }, cleanup: { try await administer("DROP DATABASE \(name) WITH (FORCE)") })
    }

    /// Terminates every server process connected to the database `name` (as a crash or a failover would), returning how many.
    @discardableResult
    public static func terminateConnections(to name: String) async throws -> Int {
        try await onMaintenanceDatabase { database in
            try await database.query("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = \(name) AND pid <> pg_backend_pid()
                """).collect().first?.decode(Int.self) ?? 0
        }
    }

    /// Runs `body` with a one-connection pool on the server's maintenance database (`postgres`).
    static func onMaintenanceDatabase<Result: Sendable>(_ body: @Sendable (Database) async throws -> Result) async throws -> Result {
        try await running(pool(database: "postgres", role: .administrator, maximumConnections: 1), body)
    }

    /// Runs one statement on the server's maintenance database (`postgres`).
    static func administer(_ sql: String) async throws {
        _ = try await onMaintenanceDatabase { database in
            try await database.query(PostgresQuery(unsafeSQL: sql))
        }
    }

    /// The template database of this test process, migrated once.
    actor Template {
        static let shared = Template()
        private var created: Task<String, any Error>?

        func name() async throws -> String {
            if let created { return try await created.value }
            let task = Task<String, any Error> {
                let name = "test_template_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))"
                try await Roles.shared.created()
                try await administer("CREATE DATABASE \(name) OWNER \(try Role.owner.name())")
                // As `custodian migrate` does with two roles: the owner migrates, then grants the application role.
                try await running(pool(database: name, role: .owner, maximumConnections: 1)) { database in
                    try await Migrator(database: database, logger: logger).migrate(MigrationFile.load(from: migrationsDirectory))
                    try await ApplicationRolePrivileges(role: try Role.application.name()).apply(on: database)
                    // What `serve` and `work` record at start: the operator every destruction act names.
                    try await ControllerSettingsRepository(database: database).record(operator: TestDatabase.testOperator)
                }
                return name
            }
            created = task
            return try await task.value
        }
    }
}

/// The owner and application roles on the test server, created once per test process (they are the server's, so
/// another process may have made them already).
actor Roles {
    static let shared = Roles()
    private var creation: Task<Void, any Error>?

    func created() async throws {
        if let creation { return try await creation.value }
        let task = Task<Void, any Error> {
            for role in [TestDatabase.Role.owner, .application] {
                try await TestDatabase.administer("""
                    DO $$ BEGIN CREATE ROLE \(try role.name()) LOGIN;
                    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$
                    """)
            }
        }
        creation = task
        try await task.value
    }
}

/// A test environment problem, stated plainly.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
