import CustodianStore
import Foundation
import Hummingbird
import Logging

/// The DPO console: server-rendered pages under `/console`, served by `custodian serve` beside the API, with their own
/// error pages and security headers.
public enum ConsoleRoutes {
    public static func register<Context: RemoteAddressRequestContext>(
        on router: Router<Context>, configuration: ConsoleConfiguration, database: Database, logger: Logger
    ) {
        let renderer = ConsoleRenderer.embedded
        let sessions = ConsoleSessionRepository(database: database, passwordIterations: configuration.passwordIterations)
        let guardian = ConsoleGuard(sessions: sessions, configuration: configuration)
        let console = router.group("console").add(middleware: ConsoleBoundaryMiddleware<Context>(renderer: renderer, logger: logger))

        console.get("") { _, _ in Response(status: .seeOther, headers: [.location: "/console/inbox"]) }
        console.get("console.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: embeddedConsoleAssets["console.css"] ?? "")))
        }
        console.get("favicon.svg") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "max-age=86400"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: embeddedConsoleAssets["favicon.svg"] ?? "")))
        }
        let shared = ConsolePages(renderer: renderer, guardian: guardian, database: database, configuration: configuration)
        SignInPages(
            shared: shared, sessions: sessions, users: ConsoleUserRepository(database: database, passwordIterations: configuration.passwordIterations)
        ).register(on: console)
        InboxPages(shared: shared).register(on: console)
        SubjectPages(shared: shared).register(on: console)
        OperationsPages(shared: shared).register(on: console)
        DestructionPages(shared: shared).register(on: console)
        TaskPages(shared: shared).register(on: console)
        SettingsPages(shared: shared).register(on: console)
        SettingsEditPages(shared: shared).register(on: console)
        SettingsCreatePages(shared: shared).register(on: console)
        DashboardPage(shared: shared).register(on: console)
        // Anything else under /console is the console's own 404 page, not the API's problem+json.
        console.on("**", method: .get) { _, _ -> Response in throw ConsoleFailure.notFound }
        console.on("**", method: .post) { _, _ -> Response in throw ConsoleFailure.notFound }
    }
}
