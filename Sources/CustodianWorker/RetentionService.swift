import CustodianCore
import CustodianStore
import Foundation
import Logging
import ServiceLifecycle

/// Runs retention once per period from inside the worker: every `checkInterval` it asks the store to run the current
/// period, which only one worker of many gets to do (``RetentionRepository/runOnce(periodStart:policy:worker:now:)``).
public struct RetentionService: Service {
    let retention: RetentionRepository
    let policy: RetentionPolicy
    let period: Duration
    let checkInterval: Duration
    let worker: String
    let logger: Logger

    public init(
        retention: RetentionRepository, policy: RetentionPolicy, period: Duration, checkInterval: Duration = .seconds(60),
        worker: String, logger: Logger
    ) {
        self.retention = retention
        self.policy = policy
        self.period = period
        self.checkInterval = min(checkInterval, period)
        self.worker = worker
        self.logger = logger
    }

    /// The start of the period `instant` falls in, periods counted from the Unix epoch.
    public static func periodStart(of instant: Date, period: Duration) -> Date {
        let seconds = max(1, Double(period.components.seconds))
        return Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / seconds).rounded(.down) * seconds)
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            let start = Self.periodStart(of: Date(), period: period)
            do {
                if let run = try await retention.runOnce(periodStart: start, policy: policy, worker: worker) {
                    logger.info("retention run finished", metadata: [
                        "period_start": "\(RFC3339.string(from: start))", "subjects_depersonalised": "\(run.subjectsDepersonalised)"])
                }
            } catch {
                logger.error("retention run failed", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: checkInterval) }
        }
    }
}
