import CustodianCore
import CustodianStore
import Logging
import Metrics

extension Settings {
    /// Runs `body` with a small running pool on `url` (by default `DATABASE_URL`), for one-shot commands (migrate, keys).
    func withDatabase<Result: Sendable>(
        url: DatabaseURL? = nil, personalDataKeys: PersonalDataKeys? = nil, _ body: @Sendable (Database) async throws -> Result
    ) async throws -> Result {
        JSONLogHandler.bootstrap(level: try logLevel)
        var databaseLogger = Logger(label: "custodian.db")
        // The pool warns when a lease comes before run() has started, which a one-shot command always races.
        databaseLogger.logLevel = .error
        let database = Database(
            url: try url ?? databaseURL(), maximumConnections: 2, connectTimeout: try databaseConnectTimeout,
            statementTimeout: nil, operationTimeout: nil, metricsFactory: NOOPMetricsHandler.instance,
            personalDataKeys: personalDataKeys, logger: databaseLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.pools.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }
}
