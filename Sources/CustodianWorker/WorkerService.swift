import CustodianStore
import Logging
import ServiceLifecycle

/// The worker process's main loop. Job kinds arrive with the job-queue issue; until then the worker connects,
/// checks the database on every heartbeat, and stops cleanly on graceful shutdown.
public struct WorkerService: Service {
    let database: Database
    let heartbeat: Duration
    let logger: Logger

    public init(database: Database, heartbeat: Duration = .seconds(10), logger: Logger) {
        self.database = database
        self.heartbeat = heartbeat
        self.logger = logger
    }

    public func run() async throws {
        try await database.ping()
        logger.info("worker started")
        while !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: heartbeat) }
            guard !Task.isShuttingDownGracefully else { break }
            do {
                try await database.ping()
            } catch {
                logger.warning("database heartbeat failed", metadata: ["error.type": "\(type(of: error))"])
            }
        }
        logger.info("worker stopped")
    }
}
