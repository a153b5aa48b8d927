import CoreMetrics
import CustodianCore
import Logging
import PostgresNIO

/// The connection pools every repository shares, with their metrics and a deadline on every operation. Run ``pools``
/// in the service group before using it: queries on a pool that is not running wait forever.
public struct Database: Sendable {
    public let pools: ConnectionPools
    public let logger: Logger
    /// The keys that seal personal data written through this pool and open what it reads; nil for the commands that
    /// touch no personal data (migrate, keys, users), where a repository that needs them fails.
    public let personalDataKeys: PersonalDataKeys?
    let metrics: DatabaseMetrics
    /// How long one operation (a statement, a transaction, a connection lease and its use) may take before its caller
    /// gets ``DatabaseUnavailable``; nil waits as long as it takes (migrations).
    let operationTimeout: Duration?

    public init(
        pools: ConnectionPools, maximumConnections: Int, operationTimeout: Duration? = .seconds(15), metricsFactory: any MetricsFactory,
        personalDataKeys: PersonalDataKeys? = nil, logger: Logger
    ) {
        self.pools = pools
        self.logger = logger
        self.personalDataKeys = personalDataKeys
        self.operationTimeout = operationTimeout
        self.metrics = DatabaseMetrics(factory: metricsFactory, maximumConnections: maximumConnections)
    }

    /// Makes a pool from a URL with the given limits; `keepsConnectionsOpen` opens every connection up to the maximum
    /// and keeps them (the long-running processes: see ``DatabaseURL/poolConfiguration(maximumConnections:minimumConnections:connectTimeout:statementTimeout:)``).
    /// `onePoolPerEventLoop` shares the connections out among one pool per loop of NIO's default group, for callers
    /// that run on those loops (``ConnectionPools``: `serve`). It is the group Hummingbird's server runs on too (both
    /// take NIO's singleton); a request on a loop of another group would get the first pool, never its own.
    public init(
        url: DatabaseURL, maximumConnections: Int, keepsConnectionsOpen: Bool = false, onePoolPerEventLoop: Bool = false,
        connectTimeout: Duration, statementTimeout: Duration?, operationTimeout: Duration?, metricsFactory: any MetricsFactory,
        personalDataKeys: PersonalDataKeys? = nil, logger: Logger
    ) {
        let configuration = url.poolConfiguration(
            maximumConnections: maximumConnections, minimumConnections: keepsConnectionsOpen ? maximumConnections : 0,
            connectTimeout: connectTimeout, statementTimeout: statementTimeout)
        self.init(
            pools: onePoolPerEventLoop
                ? ConnectionPools(configuration: configuration, onePerLoopOf: PostgresClient.defaultEventLoopGroup, logger: logger)
                : ConnectionPools(configuration: configuration, logger: logger),
            maximumConnections: maximumConnections, operationTimeout: operationTimeout, metricsFactory: metricsFactory,
            personalDataKeys: personalDataKeys, logger: logger)
    }

    /// Runs one statement on a pooled connection and reads all its rows, the whole of it within the operation deadline.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> FetchedRows {
        try await bounded { [logger] client in
            FetchedRows(try await client.query(query, logger: logger).reduce(into: []) { $0.append($1) })
        }
    }

    /// Runs a prepared statement on a pooled connection (prepared on each connection the first time it runs there) and
    /// returns its rows.
    public func execute<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await bounded { [logger] client in
            try await client.execute(statement, logger: logger).reduce(into: []) { $0.append($1) }
        }
    }

    /// Runs `body` on one pooled connection.
    public func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        try await bounded { client in try await client.withConnection { connection in try await body(connection) } }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws (with the body's own error).
    public func transaction<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        do {
            return try await bounded { [logger] client in try await client.withTransaction(logger: logger) { connection in try await body(connection) } }
        } catch let error as PostgresTransactionError {
            throw DatabaseErrors.translate(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        }
    }

    /// Measures `operation`, runs it on the caller's pool (``ConnectionPools/withPool(_:)``), bounds it by the operation
    /// timeout, and turns the driver's errors into ``DatabaseErrors``. The pool is chosen and counted outside the
    /// deadline: a statement left unanswered past it gives its count back when the caller is answered.
    private func bounded<Result: Sendable>(_ operation: @escaping @Sendable (PostgresClient) async throws -> Result) async throws -> Result {
        do {
            return try await metrics.measure {
                try await pools.withPool { client in
                    guard let operationTimeout else { return try await operation(client) }
                    return try await OperationDeadline.run(within: operationTimeout) { try await operation(client) }
                }
            }
        } catch {
            throw DatabaseErrors.translate(error)
        }
    }

    /// Checks that the database answers within `timeout`; the pool itself would wait for a connection indefinitely.
    public func ping(timeout: Duration = .seconds(2)) async throws {
        try await pools.withPool { [logger] client in
            try await OperationDeadline.run(within: timeout) { _ = try await client.query("SELECT 1", logger: logger) }
        }
    }
}

/// Pool metrics: operations in flight (each holds a connection), their durations, failures, and the pool's size.
struct DatabaseMetrics: Sendable {
    let inFlight: Meter
    let duration: Timer
    let failures: Counter

    init(factory: any MetricsFactory, maximumConnections: Int) {
        inFlight = Meter(label: "custodian_db_operations_in_flight", dimensions: [], factory: factory)
        duration = Timer(label: "custodian_db_operation_duration_seconds", dimensions: [], factory: factory)
        failures = Counter(label: "custodian_db_operation_failures_total", dimensions: [], factory: factory)
        Meter(label: "custodian_db_pool_max_connections", dimensions: [], factory: factory).set(maximumConnections)
    }

    func measure<Result>(_ body: () async throws -> Result) async throws -> Result {
        let start = ContinuousClock.now
        inFlight.increment()
        defer {
            inFlight.decrement()
            duration.recordNanoseconds(Int64((ContinuousClock.now - start) / .nanoseconds(1)))
        }
        do {
            return try await body()
        } catch {
            failures.increment()
            throw error
        }
    }
}
