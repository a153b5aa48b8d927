import CustodianStore
import Foundation
import Hummingbird
import Logging

/// The pages customers reach from the internet: one-click unsubscribe under `/u/`, the privacy center under
/// `/privacy`, and their stylesheet.
public enum PortalRoutes {
    public static func register<Context: RemoteAddressRequestContext>(
        on router: Router<Context>, configuration: PortalConfiguration, database: Database, logger: Logger
    ) {
        let renderer = PortalRenderer.embedded.of(configuration.shop)
        router.get("portal.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: embeddedConsoleAssets["portal.css"] ?? "")))
        }
        UnsubscribePages(renderer: renderer, consents: ConsentRepository(database: database), configuration: configuration).register(on: router)
        router.get("privacy/favicon.svg") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "max-age=86400"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: embeddedConsoleAssets["favicon.svg"] ?? "")))
        }
        let privacy = router.group("privacy").add(middleware: PortalBoundaryMiddleware<Context>(renderer: renderer, logger: logger))
        let shared = PrivacyCenter(renderer: renderer, configuration: configuration, database: database)
        PrivacySignInPages(shared: shared).register(on: privacy)
        PrivacyAccountPages(shared: shared).register(on: privacy)
        // Anything else under /privacy is the privacy center's own 404 page, not the API's problem+json.
        privacy.on("**", method: .get) { _, _ -> Response in throw PortalFailure.notFound }
        privacy.on("**", method: .post) { _, _ -> Response in throw PortalFailure.notFound }
    }
}
