import CustodianCore
import CustodianStore
import Foundation
import Logging

/// What the current request carries into the generated handlers, which see no Hummingbird context: set by the
/// router middleware (request id, logger), the authentication middleware (the API key) and the signed-body capture.
enum RequestScope {
    @TaskLocal static var requestID: String = noRequest
    /// The request id outside any request.
    static let noRequest = "none"
    @TaskLocal static var logger: Logger = Logger(label: "custodian.api")
    @TaskLocal static var apiKey: AuthenticatedKey?
    /// The raw body of a signed request (see ``SignedBodyCaptureMiddleware``).
    @TaskLocal static var signedBody: Data?
    /// The members a PATCH sets to `null` to clear them (see ``BodyHygieneMiddleware/clearable``).
    @TaskLocal static var clearedMembers: Set<String> = []
    /// Where problem types' pages are: `/problems/`, or under `CUSTODIAN_PUBLIC_URL` when it is set.
    @TaskLocal static var problemTypeBase: String = ProblemPages.path + "/"

    /// The audit actor of the current request.
    static var actor: AuditActor {
        AuditActor(apiKeyID: apiKey?.id, party: apiKey?.scope == .dpo ? .oversight : .shop, requestID: requestID)
    }
}

/// The API key that authenticated the current request.
struct AuthenticatedKey: Sendable {
    let id: UUID
    let scope: APIKeyScope
}
