import ArgumentParser
import CustodianWorker
import Logging
import ServiceLifecycle

/// `custodian work`: the worker until SIGTERM or SIGINT; with `CUSTODIAN_METRICS_PORT`, its metrics and health on
/// a port of its own (the API's port is not the worker's).
struct WorkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "work", abstract: "Run the background worker.")

    func run() async throws {
        let settings = Settings()
        let configuration = try settings.worker()
        let operatorIdentity = try settings.operatorIdentity()
        // Jobs hold a connection only for their short statements: a few more than the kinds' claim loops.
        let environment = try ProcessEnvironment(settings: settings, defaultPoolSize: 10)
        let logger = Logger(label: "custodian.worker")
        let database = environment.database
        try await ServiceGroup.runUntilSignalled(
            [database.pools, OperatorRecording(database: database, identity: operatorIdentity, logger: logger)]
                + WorkerApplication.build(configuration: configuration, database: database, logger: logger)
                + settings.operationsListener(environment: environment, logger: logger),
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
