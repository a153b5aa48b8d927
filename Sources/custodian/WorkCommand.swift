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
        let concurrency = (
            newsletter: try settings.concurrency(of: .newsletterOptOut), courier: try settings.concurrency(of: .courierTransfer),
            erasure: try settings.concurrency(of: .erasureRequest), notice: try settings.concurrency(of: .rectificationNotice))
        // Disclosing jobs hold a connection during their outgoing call (the disclosure gate); the rest need a few.
        let environment = try ProcessEnvironment(settings: settings, defaultPoolSize: concurrency.courier + concurrency.notice + 6)
        let logger = Logger(label: "custodian.worker")
        let timeouts = try settings.outboundTimeouts()
        // One connection per job that may run at once, so a recipient serving every kind never makes jobs queue.
        let http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: OutboundClient.httpConfiguration(
                connectTimeout: timeouts.connect, readTimeout: timeouts.total,
                connectionsPerHost: concurrency.newsletter + concurrency.courier + concurrency.erasure + concurrency.notice))
        let outbound = OutboundClient(http: http, policy: settings.outboundPolicy, totalTimeout: timeouts.total)
        let database = environment.database
        let handlers: [any JobHandler] = [
            NewsletterOptOutHandler(database: database, client: outbound, concurrency: concurrency.newsletter),
            CourierTransferHandler(database: database, client: outbound, concurrency: concurrency.courier),
            ErasureRequestHandler(
                database: database, client: outbound, callbackURL: try settings.erasureCallbackURL(), concurrency: concurrency.erasure),
            RectificationNoticeHandler(database: database, client: outbound, concurrency: concurrency.notice),
        ]
        let runner = JobRunner(database: database, handlers: handlers, configuration: try settings.jobRunner(), logger: logger)
        var services: [any Service] = [database.client, HTTPClientService(client: http), runner]
        if let retention = try settings.retention() {
            services.append(RetentionService(
                retention: RetentionRepository(database: database, hasher: try settings.identityHasher), policy: retention.policy,
                period: retention.period, worker: try settings.jobRunner().owner, logger: Logger(label: "custodian.retention")))
        }
        try await ServiceGroup.runUntilSignalled(
            services,
            shutdownTimeout: try settings.shutdownTimeout, logger: logger)
    }
}
