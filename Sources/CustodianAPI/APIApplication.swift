import CustodianConsole
import CustodianPortal
import CustodianOpenAPI
import CustodianStore
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import Prometheus
import ServiceLifecycle

/// Builds the HTTP API: the router with its middlewares, the generated handlers, and the services it runs
/// (the database pool first, so it starts before and stops after the HTTP server and the key cache's listener).
public enum APIApplication {
    public static func build(
        configuration: APIConfiguration,
        database: Database,
        metrics: PrometheusCollectorRegistry,
        additionalServices: [any Service] = [],
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
        logger: Logger
    ) throws -> some ApplicationProtocol {
        let metricsFactory = PrometheusMetricsFactory(registry: metrics)
        let routes = RouteTable()
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestObservationMiddleware(metricsFactory: metricsFactory))
        router.add(middleware: ErrorResponseMiddleware(routes: routes))
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maximumBodySize))

        ConsoleRoutes.register(on: router, configuration: configuration.console, database: database, logger: logger)
        PortalRoutes.register(on: router, configuration: configuration.portal, database: database, logger: logger)

        let keyCache = APIKeyCache(keys: APIKeyRepository(database: database), logger: logger)
        let handler = APIHandler(
            configuration: configuration,
            subjects: SubjectRepository(database: database),
            audit: AuditRepository(database: database),
            database: database,
            metrics: metrics)
        try handler.registerHandlers(
            on: RouteRecordingTransport(inner: router, table: routes),
            serverURL: URL(string: "/")!,
            configuration: .init(dateTranscoder: FlexibleISO8601DateTranscoder(), jsonEncodingOptions: []),
            middlewares: [
                OpenAPIProblemMiddleware(),
                SignedBodyCaptureMiddleware(maximumBodySize: configuration.maximumBodySize),
                AuthenticationMiddleware(keys: keyCache),
            ] + (configuration.rateLimit.map { [RateLimitMiddleware(perMinute: $0.perMinute, burst: $0.burst)] } ?? []) + [
                NullRejectionMiddleware(maximumBodySize: configuration.maximumBodySize),
                IdempotencyMiddleware(store: IdempotencyRepository(database: database), maximumBodySize: configuration.maximumBodySize),
                LocationHeaderMiddleware(),
            ])

        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "custodian"),
            services: [database.client, keyCache, IdempotencyPruner(store: IdempotencyRepository(database: database), logger: logger)] + additionalServices,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }
}
