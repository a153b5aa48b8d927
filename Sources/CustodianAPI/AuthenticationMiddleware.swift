import CustodianCore
import CustodianStore
import Foundation
import Logging
import HTTPTypes
import OpenAPIRuntime

/// Checks `Authorization: Bearer <key>` against the stored keys and the operation's scope: 401 for a missing,
/// malformed, unknown or revoked key, 403 for a key without the scope. Keys come from ``APIKeyCache``, so a revoked
/// key stops working as soon as the API hears of the revocation.
struct AuthenticationMiddleware: ServerMiddleware {
    let keys: APIKeyCache

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let required = OperationScopes.required(for: operationID) else {
            return try await next(request, body, metadata)
        }
        guard let header = request.headerFields[.authorization] else {
            throw Problem.unauthorized("Send an API key as Authorization: Bearer <key>.")
        }
        guard let secret = Self.bearerKey(header) else {
            throw Problem.unauthorized("The Authorization header is not a Bearer API key.")
        }
        guard let key = try await keys.authenticate(secret) else {
            throw Problem.unauthorized("The API key is unknown or revoked.")
        }
        guard key.scope.permits(required) else { throw Problem.forbidden(requiredScope: required) }
        return try await RequestScope.$apiKey.withValue(AuthenticatedKey(id: key.id, scope: key.scope)) {
            try await RequestScope.$logger.withValue(RequestScope.logger.with(apiKeyID: key.id)) {
                try await next(request, body, metadata)
            }
        }
    }
}

extension AuthenticationMiddleware {
    /// The key in `Bearer <key>` (the scheme in any case, blanks around the key ignored); nil for any other shape.
    static func bearerKey(_ header: String) -> APIKeySecret? {
        let scheme = "bearer ".utf8
        let bytes = header.utf8
        guard bytes.count > scheme.count,
              zip(bytes, scheme).allSatisfy({ byte, expected in byte == expected || (expected != UInt8(ascii: " ") && byte | 0x20 == expected) })
        else { return nil }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let rest = bytes.dropFirst(scheme.count)
        guard let first = rest.firstIndex(where: { !isBlank($0) }), let last = rest.lastIndex(where: { !isBlank($0) }) else { return nil }
        return APIKeySecret(token: String(Substring(header.utf8[first...last])))
    }
}

extension Logging.Logger {
    func with(apiKeyID: Foundation.UUID) -> Logging.Logger {
        var logger = self
        logger[metadataKey: "api_key_id"] = "\(apiKeyID)"
        return logger
    }
}
