import ArgumentParser
import AsyncHTTPClient
import CustodianCore
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
        let timeouts = try settings.outboundTimeouts()
        let concurrency = (
            newsletter: try settings.concurrency(of: .newsletterOptOut), courier: try settings.concurrency(of: .courierTransfer),
            erasure: try settings.concurrency(of: .erasureRequest))
        // One connection per job that may run at once, so a recipient serving every kind never makes jobs queue.
        let http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: OutboundClient.httpConfiguration(
                connectTimeout: timeouts.connect, readTimeout: timeouts.total,
                connectionsPerHost: concurrency.newsletter + concurrency.courier + concurrency.erasure))
        let outbound = OutboundClient(http: http, policy: settings.outboundPolicy, totalTimeout: timeouts.total)
        let database = environment.database
        let handlers: [any JobHandler] = [
            NewsletterOptOutHandler(database: database, client: outbound, concurrency: concurrency.newsletter),
            CourierTransferHandler(database: database, client: outbound, concurrency: concurrency.courier),
            ErasureRequestHandler(
                database: database, client: outbound, callbackURL: try settings.erasureCallbackURL(), concurrency: concurrency.erasure),
        ]
        try await ServiceGroup.runUntilSignalled(
            [database.client, HTTPClientService(client: http),
             JobRunner(database: database, handlers: handlers, configuration: try settings.jobRunner(), logger: logger)],
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
