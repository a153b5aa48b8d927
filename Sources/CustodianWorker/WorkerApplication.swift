import AsyncHTTPClient
import CustodianQueue
import CustodianStore
import Logging
import ServiceLifecycle

/// Builds the worker and never runs it: `custodian work`, the end-to-end tests and WorkerBench all call it, so the
/// list of job kinds lives here alone.
public enum WorkerApplication {
    /// The worker's services in start order (the HTTP client first, so that it stops last); the caller runs them
    /// after the pool's client.
    public static func build(configuration: WorkerConfiguration, database: Database, logger: Logger) -> [any Service] {
        build(configuration: configuration, database: database, logger: logger) { client in
            handlers(configuration: configuration, database: database, client: client)
        }
    }

    /// ``build(configuration:database:logger:)`` with other handlers (a benchmark's).
    public static func build(
        configuration: WorkerConfiguration, database: Database, logger: Logger, handlers: (OutboundClient) -> [any JobHandler]
    ) -> [any Service] {
        let http = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: OutboundClient.httpConfiguration(
                connectTimeout: configuration.connectTimeout, readTimeout: configuration.outboundTimeout,
                connectionsPerHost: configuration.connectionsPerHost))
        let client = OutboundClient(http: http, policy: configuration.outboundPolicy, totalTimeout: configuration.outboundTimeout)
        let runner = JobRunner(
            database: database, handlers: handlers(client), hooks: DomainJobs.hooks, configuration: configuration.runner, logger: logger)
        var services: [any Service] = [HTTPClientService(client: http), runner]
        if let retention = configuration.retention {
            services.append(RetentionService(
                retention: RetentionRepository(database: database, hasher: configuration.identityHasher), policy: retention.policy,
                period: retention.period, worker: configuration.runner.owner, logger: Logger(label: "custodian.retention")))
        }
        return services
    }

    /// One handler for every kind in ``DomainJobs/kinds``.
    static func handlers(configuration: WorkerConfiguration, database: Database, client: OutboundClient) -> [any JobHandler] {
        [
            NewsletterOptOutHandler(database: database, client: client, concurrency: configuration.concurrency(of: NewsletterOptOutJob.self)),
            CourierTransferHandler(database: database, client: client, concurrency: configuration.concurrency(of: CourierTransferJob.self)),
            ErasureRequestHandler(
                database: database, client: client, callbackURL: configuration.erasureCallbackURL,
                concurrency: configuration.concurrency(of: ErasureRequestJob.self)),
            RectificationNoticeHandler(
                database: database, client: client, concurrency: configuration.concurrency(of: RectificationNoticeJob.self)),
        ]
    }
}
