import CustodianStore
import Logging
import ServiceLifecycle

/// Deletes idempotency records past their 24-hour retention, once an hour, until graceful shutdown.
struct IdempotencyPruner: Service {
    let store: IdempotencyRepository
    let logger: Logger
    var interval: Duration = .seconds(3600)

    func run() async throws {
        // Cancellation ends the loop too: a cancelled sleep returns at once and would otherwise spin.
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                let deleted = try await store.prune()
                if deleted > 0 { logger.info("pruned idempotency records", metadata: ["count": "\(deleted)"]) }
            } catch {
                logger.warning("pruning idempotency records failed", metadata: ["error.type": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
