import CustodianStore
import Foundation
import Hummingbird
import Logging

/// The pages customers reach from the internet: one-click unsubscribe under `/u/`.
public enum PortalRoutes {
    public static func register<Context: RemoteAddressRequestContext>(
        on router: Router<Context>, configuration: PortalConfiguration, database: Database, logger: Logger
    ) {
        let renderer = PortalRenderer.embedded
        router.get("portal.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: embeddedConsoleAssets["portal.css"] ?? "")))
        }
        UnsubscribePages(
            renderer: renderer, consents: ConsentRepository(database: database), configuration: configuration,
            limiter: InvalidTokenLimiter(perMinute: configuration.invalidTokensPerMinute, burst: configuration.invalidTokenBurst), logger: logger
        ).register(on: router)
    }
}
