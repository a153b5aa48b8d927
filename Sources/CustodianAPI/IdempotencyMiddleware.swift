import Crypto
import CustodianCore
import CustodianStore
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Makes POSTs and PATCHes with an `Idempotency-Key` safe to retry, as the IETF draft (draft-ietf-httpapi-idempotency-key-header)
/// describes: the first response (below 500) is stored for 24 hours per API key and replayed for the same request; a
/// different request with the key gets 422, and a request arriving while the first still runs gets 409.
struct IdempotencyMiddleware: ServerMiddleware {
    let store: IdempotencyRepository
    let maximumBodySize: Int

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard request.method == .post || request.method == .patch, let key = request.headerFields[.idempotencyKey], let apiKey = RequestScope.apiKey else {
            return try await next(request, body, metadata)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw Problem.validation([FieldError(field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters")])
        }
        let requestBytes = try await Self.collect(body, upTo: maximumBodySize)
        let requestHash = Self.hash(request: request, body: requestBytes)

        switch try await store.begin(apiKeyID: apiKey.id, key: key, requestHash: requestHash) {
        case .mismatch:
            throw Problem(
                type: .idempotencyKeyReused,
                detail: "This Idempotency-Key was already used with a different request.")
        case .inProgress:
            throw Problem.conflict(.idempotencyKeyInProgress, "A request with this Idempotency-Key is still being processed.")
        case .replay(let stored):
            var fields: HTTPFields = [.contentType: "application/json", .idempotentReplayed: "true"]
            if let location = stored.location { fields[.location] = location }
            return (HTTPResponse(status: .init(code: stored.status), headerFields: fields), HTTPBody(stored.body))
        case .proceed:
            do {
                let (response, responseBody) = try await next(request, HTTPBody(requestBytes), metadata)
                let responseBytes = try await Self.collect(responseBody, upTo: 16 * 1024 * 1024)
                if response.status.code < 500 {
                    try await store.complete(
                        apiKeyID: apiKey.id, key: key, path: request.path ?? "",
                        response: StoredResponse(status: response.status.code, location: response.headerFields[HTTPField.Name.location], body: responseBytes))
                } else {
                    try await store.release(apiKeyID: apiKey.id, key: key)
                }
                return (response, HTTPBody(responseBytes))
            } catch {
                try? await store.release(apiKeyID: apiKey.id, key: key)
                throw error
            }
        }
    }

    private static func collect(_ body: HTTPBody?, upTo limit: Int) async throws -> [UInt8] {
        guard let body else { return [] }
        return try await [UInt8](collecting: body, upTo: limit)
    }

    /// SHA-256 over method, path and body: what "the same request" means.
    static func hash(request: HTTPRequest, body: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.path ?? "")\n".utf8))
        hasher.update(data: body)
        return Array(hasher.finalize())
    }
}
