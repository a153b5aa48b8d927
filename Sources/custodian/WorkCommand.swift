import ArgumentParser
import CustodianStore
import CustodianWorker
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `custodian work`: the worker until SIGTERM or SIGINT.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run the background worker.")

    func run() async throws {
        let settings = Settings()
        JSONLogHandler.bootstrap(level: try settings.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "custodian.worker")
        let database = Database(
            url: try settings.databaseURL(),
            maximumConnections: try settings.databasePoolSize(default: 10),
            connectTimeout: try settings.databaseConnectTimeout,
            statementTimeout: try settings.databaseStatementTimeout,
            metricsFactory: PrometheusMetricsFactory(registry: registry),
            logger: Logger(label: "custodian.db"))
        try await ServiceGroup.runUntilSignalled(
            [database.client, WorkerService(database: database, logger: logger)],
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
