import CustodianStore
import Logging
import Metrics
import Prometheus

/// What a long-running process (`serve`, `work`) sets up first: JSON logs, a metrics registry, the database pool.
struct ProcessEnvironment {
    let registry: PrometheusCollectorRegistry
    let database: Database

    /// `onePoolPerEventLoop`: `serve`, whose requests run on the event loops of their sockets (``ConnectionPools``).
    init(settings: Settings, defaultPoolSize: Int, onePoolPerEventLoop: Bool = false) throws {
        JSONLogHandler.bootstrap(level: try settings.logLevel)
        registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        database = Database(
            url: try settings.databaseURL(),
            maximumConnections: try settings.databasePoolSize(default: defaultPoolSize),
            keepsConnectionsOpen: true,
            onePoolPerEventLoop: onePoolPerEventLoop,
            connectTimeout: try settings.databaseConnectTimeout,
            statementTimeout: try settings.databaseStatementTimeout,
            operationTimeout: try settings.databaseOperationTimeout,
            metricsFactory: PrometheusMetricsFactory(registry: registry),
            personalDataKeys: try settings.personalDataKeys,
            logger: Logger(label: "custodian.db"))
    }
}
