import ArgumentParser
import CustodianAPI
import CustodianStore
import Logging
import ServiceLifecycle
import UnixSignals

/// `custodian serve`: the HTTP API until SIGTERM or SIGINT, then a graceful stop (in-flight requests finish); with
/// `CUSTODIAN_PUBLIC_PORT`, the public routes also on a listener of their own; with `CUSTODIAN_METRICS_PORT`, metrics
/// and health on the operator's port.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP API.")

    func run() async throws {
        let settings = Settings()
        let environment = try ProcessEnvironment(settings: settings, defaultPoolSize: 20, onePoolPerEventLoop: true)
        let logger = Logger(label: "custodian.api")
        let configuration = try settings.api()
        let operatorIdentity = try settings.operatorIdentity()
        if configuration.receipts.signingKey == nil {
            logger.warning("CUSTODIAN_RECEIPT_SIGNING_KEY is not set: consent receipts answer 503")
        }
        let application = try APIApplication.build(
            configuration: configuration, database: environment.database, metrics: environment.registry,
            additionalServices: [OperatorRecording(database: environment.database, identity: operatorIdentity, logger: logger)], logger: logger)
        var services: [any Service] = [application]
        if let publicPort = configuration.publicPort {
            // The public routes on a listener of their own, so only they need face the internet; it stops first.
            services.append(try APIApplication.build(
                configuration: configuration, database: environment.database, metrics: environment.registry,
                listener: .publicOnly(port: publicPort), logger: logger))
        }
        services += try settings.operationsListener(environment: environment, logger: logger)
        try await ServiceGroup.runUntilSignalled(services, shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}

extension ServiceGroup {
    /// Runs `services` until SIGTERM or SIGINT, then shuts them down gracefully in reverse order within `shutdownTimeout`.
    static func runUntilSignalled(_ services: [any Service], shutdownTimeout: Duration, logger: Logger) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        configuration.maximumGracefulShutdownDuration = shutdownTimeout
        try await ServiceGroup(configuration: configuration).run()
    }
}
