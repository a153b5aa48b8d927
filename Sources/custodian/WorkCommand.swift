import ArgumentParser
import AsyncHTTPClient
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
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: OutboundClient.httpConfiguration())
        let outbound = OutboundClient(http: http, policy: settings.outboundPolicy)
        let handlers: [any JobHandler] = [
            NewsletterOptOutHandler(database: environment.database, client: outbound),
            CourierTransferHandler(database: environment.database, client: outbound),
        ]
        try await ServiceGroup.runUntilSignalled(
            [environment.database.client, HTTPClientService(client: http), JobRunner(database: environment.database, handlers: handlers, logger: logger)],
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
