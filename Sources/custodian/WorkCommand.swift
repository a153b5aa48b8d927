import ArgumentParser
import CustodianStore
import CustodianWorker
import Logging
import ServiceLifecycle

/// `custodian work`: the worker until SIGTERM or SIGINT.
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run the background worker.")

    func run() async throws {
        let settings = Settings()
        let environment = try ProcessEnvironment(settings: settings, defaultPoolSize: 10)
        let logger = Logger(label: "custodian.worker")
        try await ServiceGroup.runUntilSignalled(
            [environment.database.client, JobRunner(database: environment.database, handlers: [], logger: logger)],
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
