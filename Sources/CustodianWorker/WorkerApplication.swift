import AsyncHTTPClient
import CustodianQueue
import CustodianStore
import Logging
import ServiceLifecycle

/// Builds the worker and never runs it: `custodian work`, the end-to-end tests and WorkerBench all call it.
public enum WorkerApplication {
    /// Every job kind the worker runs, one line each: the one list of kinds.
    public static let registrations: [JobRegistration] = [
        JobRegistration(NewsletterOptOutJob.self) { NewsletterOptOutHandler(database: $0.database, client: $0.client, concurrency: $1) },
        JobRegistration(CourierTransferJob.self) { CourierTransferHandler(database: $0.database, client: $0.client, concurrency: $1) },
        JobRegistration(ErasureRequestJob.self) {
            ErasureRequestHandler(database: $0.database, client: $0.client, callbackURL: $0.configuration.erasureCallbackURL, concurrency: $1)
        },
        JobRegistration(RectificationNoticeJob.self) { RectificationNoticeHandler(database: $0.database, client: $0.client, concurrency: $1) },
        JobRegistration(ConsentChangeNoticeJob.self) { ConsentChangeNoticeHandler(database: $0.database, client: $0.client, concurrency: $1) },
        JobRegistration(RestrictionNoticeJob.self) { RestrictionNoticeHandler(database: $0.database, client: $0.client, concurrency: $1) },
        JobRegistration(VerificationCodeJob.self) {
            VerificationCodeHandler(database: $0.database, client: $0.client, key: $0.configuration.verificationKey, concurrency: $1)
        },
    ]

    /// The worker's services in start order (the HTTP client first, so that it stops last); the caller runs them
    /// after the pool's client. `registrations` other than the product's are a benchmark's.
    public static func build(
        configuration: WorkerConfiguration, database: Database, logger: Logger, registrations: [JobRegistration] = registrations
    ) -> [any Service] {
        let concurrency = registrations.map { configuration.concurrency[$0.kind] ?? $0.defaultConcurrency }
        // One connection per job that may run at once, so a recipient serving every kind never makes jobs queue. The
        // client's read timeout is only a backstop a second behind the total limit OutboundClient enforces itself,
        // so that a silent recipient is always reported as one.
        let httpConfiguration = OutboundClient.httpConfiguration(
            connectTimeout: configuration.connectTimeout, readTimeout: configuration.outboundTimeout + .seconds(1),
            connectionsPerHost: concurrency.reduce(0, +))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let pinned = PinnedHTTPClients(configuration: httpConfiguration)
        let client = OutboundClient(http: http, policy: configuration.outboundPolicy, totalTimeout: configuration.outboundTimeout, pinned: pinned)
        let runner = JobRunner(
            database: database, handlers: handlers(registrations, configuration: configuration, database: database, client: client),
            hooks: DomainJobs.hooks, configuration: configuration.runner, logger: logger)
        var services: [any Service] = [HTTPClientService(client: http), pinned, runner]
        if let retention = configuration.retention {
            services.append(RetentionService(
                retention: RetentionRepository(database: database, hasher: configuration.identityHasher), policy: retention.policy,
                period: retention.period, worker: configuration.runner.owner, logger: Logger(label: "custodian.retention")))
        }
        return services
    }

    /// A handler for each registration, at its configured concurrency.
    static func handlers(
        _ registrations: [JobRegistration], configuration: WorkerConfiguration, database: Database, client: OutboundClient
    ) -> [any JobHandler] {
        let context = JobRegistration.Context(database: database, client: client, configuration: configuration)
        return registrations.map { $0.makeHandler(context, configuration.concurrency[$0.kind] ?? $0.defaultConcurrency) }
    }
}
