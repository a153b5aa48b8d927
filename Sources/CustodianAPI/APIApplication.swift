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
/// (the database pool first, so it starts before and stops after the HTTP server and the key cache's listener) —
/// or, for the public listener, the same handlers behind ``PublicRouteFilter`` and no services of its own.
public enum APIApplication {
    /// Which routes a listener serves.
    public enum Listener: Sendable {
        /// Everything, on `CUSTODIAN_PORT`: the API, the console, the public pages (metrics have a port of their own).
        case all
        /// Only what faces the internet (``PublicRouteFilter``), on `CUSTODIAN_PUBLIC_PORT`; it runs no services of its
        /// own (the `all` listener runs the database pool and the caches).
        case publicOnly(port: Int)
    }

    public static func build(
        configuration: APIConfiguration,
        database: Database,
        metrics: PrometheusCollectorRegistry,
        additionalServices: [any Service] = [],
        listener: Listener = .all,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in },
        logger: Logger
    ) throws -> some ApplicationProtocol {
        let metricsFactory = PrometheusMetricsFactory(registry: metrics)
        let routes = RouteTable()
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: RequestObservationMiddleware(
            metrics: RequestMetrics(factory: metricsFactory), problemTypeBase: ProblemPages.typeBase(publicURL: configuration.portal.publicURL)))
        router.add(middleware: ErrorResponseMiddleware(routes: routes))
        var port = configuration.port
        if case .publicOnly(let publicPort) = listener {
            router.add(middleware: PublicRouteFilter())
            port = publicPort
        }
        router.add(middleware: BodyLimitMiddleware(limit: configuration.maximumBodySize))
        router.add(middleware: ResponseBufferingMiddleware())

        if case .all = listener {
            ConsoleRoutes.register(on: router, configuration: configuration.console, database: database, logger: logger)
        }
        PortalRoutes.register(on: router, configuration: configuration.portal, database: database, logger: logger)
        ProblemPages.register(on: router)

        let keyCache = APIKeyCache(keys: APIKeyRepository(database: database), logger: logger)
        let handler = APIHandler(
            configuration: configuration,
            subjects: SubjectRepository(database: database),
            audit: AuditRepository(database: database),
            database: database)
        try handler.registerHandlers(
            on: RouteRecordingTransport(inner: router, table: routes),
            serverURL: URL(string: "/")!,
            configuration: .init(dateTranscoder: FlexibleISO8601DateTranscoder(), jsonEncodingOptions: []),
            middlewares: [
                OpenAPIProblemMiddleware(),
                SignedBodyCaptureMiddleware(maximumBodySize: configuration.maximumBodySize),
                AuthenticationMiddleware(keys: keyCache),
            ] + (configuration.rateLimit.map { [RateLimitMiddleware(perMinute: $0.perMinute, burst: $0.burst)] } ?? []) + [
                BodyHygieneMiddleware(maximumBodySize: configuration.maximumBodySize),
                IdempotencyMiddleware(store: IdempotencyRepository(database: database), maximumBodySize: configuration.maximumBodySize),
                LocationHeaderMiddleware(),
            ])

        let services: [any Service] = switch listener {
        case .all: [database.pools, keyCache, IdempotencyPruner(store: IdempotencyRepository(database: database), logger: logger)] + additionalServices
        case .publicOnly: additionalServices
        }
        let listenerPort = port
        return Application(
            router: router,
            server: .eventLoopBoundHTTP1(),
            configuration: .init(address: .hostname(configuration.host, port: listenerPort), serverName: "custodian"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? listenerPort) },
            logger: logger)
    }
}
